a ' b
'' c'
define(`x', `y')dnl
x'x
