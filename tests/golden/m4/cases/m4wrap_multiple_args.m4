m4wrap(`a', `b', `c')dnl
main
