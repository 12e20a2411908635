define(`f', `<$1|$2>')dnl
define(`two', `x, y')dnl
define(`one', `z')dnl
f(one, two)
f(two)
f(`two')
f(one(), `one')
