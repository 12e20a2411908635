m4wrap(`define(`f', `<$1>')f(oops')dnl
main
