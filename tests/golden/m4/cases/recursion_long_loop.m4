define(`sum', `ifelse(`$1', `0', `$2', `sum(decr($1), eval($2 + $1))')')dnl
sum(1000, 0)
