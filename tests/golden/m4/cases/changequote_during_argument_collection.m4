define(`f', `<$1|$2>')dnl
f(changequote([, ])[a, b], `c')
f([x, y], [z])
