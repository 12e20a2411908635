define(`x', `X')dnl
changequote(,)dnl
`x' [x]
'x'
changequote(`,')dnl
`x'
