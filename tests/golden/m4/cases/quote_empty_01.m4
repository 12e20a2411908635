define(`x', `X')dnl
x`'x
`'
a`'b`'c
``''
define(`e', `')dnl
[e]
