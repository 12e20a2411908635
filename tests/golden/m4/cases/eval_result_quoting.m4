define(`1', `one')dnl
eval(1)
eval(`1')
indir(`1')
