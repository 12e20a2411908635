define(`x', `one')dnl
pushdef(`x', `two')dnl
x
pushdef(`x', `three')dnl
x
popdef(`x')dnl
x
popdef(`x')dnl
x
popdef(`x')dnl
x
popdef(`x')dnl
x
