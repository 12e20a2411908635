define(`a', `A')dnl
define(`b', ``a'')dnl
define(`c', ```a''')dnl
b c
define(`d', `a')dnl
d `d' ``d''
