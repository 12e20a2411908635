changequote(`[')dnl
[hello' world
changequote`'dnl
`ok'
