define(`nest', `ifelse(`$1', `0', `x', `len(nest(decr($1)))')')dnl
nest(1)
nest(2)
nest(3)
