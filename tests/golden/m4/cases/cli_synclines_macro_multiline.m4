define(`f', `<$1>')dnl
f(a,
b)
after
