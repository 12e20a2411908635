define(`x', `X')dnl
changecom(`rem')dnl
x rem x
xrem x
rem
