define(`a', `A')define(`b', `B')define(`c', `C')dnl
a b c
undefine(`a', `b')dnl
a b c
