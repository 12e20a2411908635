define(`f', `<$1|$2>')dnl
f((a,b), c)
f(((x)), (y,(z)))
f(a(b)c, d)
f(`(', `)')
