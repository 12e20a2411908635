pushdef(`f', `<$1>')dnl
pushdef(`f', `[$1]popdef(`f')f($1)')dnl
f(x)
popdef(`f')f(y)
