define(`show', `[$1|$2]')dnl
show(`a,b', `c')
show(`(', `)')
show(`a)b', c)
show( `  spaced', `x' )
show(`', `')
