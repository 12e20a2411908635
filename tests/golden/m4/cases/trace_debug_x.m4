define(`f', `[$1]')dnl
f(1) f(2)
