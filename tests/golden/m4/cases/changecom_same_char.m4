define(`x', `X')dnl
changecom(`|', `|')dnl
a |x| x |x
x|
x
