define(`f', `one dnl two
three')dnl
f
define(`g', `a
dnl
b')dnl
g
