define(`a', `b')dnl
define(`b', `c')dnl
define(`c', `done')dnl
a
define(`q', ``b'')dnl
q
