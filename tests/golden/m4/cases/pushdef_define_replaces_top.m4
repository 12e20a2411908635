pushdef(`x', `1')pushdef(`x', `2')dnl
define(`x', `two-replaced')dnl
x
popdef(`x')x
