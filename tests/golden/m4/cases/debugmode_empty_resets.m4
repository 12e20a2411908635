debugmode(`')dnl
define(`x', `X')dnl
x
