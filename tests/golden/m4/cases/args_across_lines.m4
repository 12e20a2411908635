define(`f', `<$1|$2|$3>')dnl
f(a,
b,
  c)
f(
a
,
b)
