define(`outer', `define(`inner', `$#')')dnl
outer(a, b, c)dnl
inner(x)
define(`outer2', `define(`inner2', `$'`#')')dnl
outer2(a, b, c)dnl
inner2(x)
