define(`f', `<$1>')dnl
define(`callf', `f')dnl
callf(x)
define(`open', `f(')dnl
open`'y)
