define(`x', `X')dnl
x
undefine(`x')dnl
x
undefine(`x')dnl
undefine(`never_defined')dnl
ok
