first line
define(`x', `X')dnl
x
`multi
line string'
include(`inc/defs.m4')dnl
last
