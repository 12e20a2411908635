define(`f', `[$1]')dnl
f(`abc
more
