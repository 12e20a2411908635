define(`x', `1')pushdef(`x', `2')pushdef(`x', `3')dnl
x
undefine(`x')dnl
x
popdef(`x')dnl
x
