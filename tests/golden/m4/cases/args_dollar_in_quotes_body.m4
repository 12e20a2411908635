define(`f', `$1 `$1' ``$1''')dnl
f(X)
define(`g', `define(`h', `$1')')dnl
g(inner)h(outer)
