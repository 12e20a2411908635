define(`f', `a`'b')dnl
f
changequote([,])dnl
f
