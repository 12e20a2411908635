define(`pair', `a,b')dnl
ifelse(pair, `x', `y')
ifelse(`pair', `pair', `quoted name compared')
