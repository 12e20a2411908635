define(`x', `X')dnl
changecom(`/*', `*/')dnl
x /* this comment
never ends x
