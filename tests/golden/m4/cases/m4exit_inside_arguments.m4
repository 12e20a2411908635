define(`f', `<$1>')dnl
f(a m4exit(9) b)
