define(`a', `$1 and `$2'')dnl
define(`b', defn(`a'))dnl
b(`x', `y')
pushdef(`c', defn(`a'))dnl
c(1, 2)
