define(`x', `X')dnl
foo(a, x, `x')
bar()
changeword(`[a-z]+')
gnu_m4 m4_define(`y', `Y')
_underscore x_x _x x_
