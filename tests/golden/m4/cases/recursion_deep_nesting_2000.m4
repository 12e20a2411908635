define(`nest', `ifelse(`$1', `0', `x', `len(nest(decr($1)))')')dnl
nest(2000)
