define(`a', `1 b 3')dnl
define(`b', `2')dnl
a
define(`c', `d(')dnl
define(`d', `<$1>')dnl
c`x')
