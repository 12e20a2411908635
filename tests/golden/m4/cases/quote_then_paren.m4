define(`f', `called($#)')dnl
`f'(x)
f`'(x)
f(x)
