define(`f', `[$1 __line__]')dnl
f(a,
b,
c)
f(`__line__',
x)
