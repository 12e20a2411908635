undefine(`define')dnl
builtin(`define', `x', `X')dnl
x
define(`y', `Y')dnl
y
