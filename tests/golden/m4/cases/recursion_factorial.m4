define(`fact', `ifelse(eval(`$1 <= 1'), 1, 1, `eval($1 * fact(decr($1)))')')dnl
fact(1) fact(5) fact(10) fact(12)
