pushdef(`a', `A1')pushdef(`a', `A2')pushdef(`b', `B1')dnl
a b
popdef(`a', `b')dnl
a b
popdef(`a', `a')dnl
a
