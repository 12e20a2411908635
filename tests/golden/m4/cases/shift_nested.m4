shift(shift(shift(1, 2, 3, 4)))
define(`last', `ifelse(`$#', `1', `$1', `last(shift($@))')')dnl
last(a, b, c, `d,e')
