define(`f', `<$1>')define(`g', `G')dnl
f(g)
