define(`x', `X')dnl
dumpdef(`x')dnl
x
