define(`inner', `[$1]')dnl
define(`outer', `inner(inner($1))')dnl
outer(x)
