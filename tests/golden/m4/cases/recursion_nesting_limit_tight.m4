define(`a', `[b($1)]')dnl
define(`b', `[c($1)]')dnl
define(`c', `[$1]')dnl
a(x)
a(b(c(y)))
