pushdef(`y', `Y1')dnl
y
popdef(`y')dnl
y
