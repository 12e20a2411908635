define(`weird name', `called with $1')dnl
indir(`weird name', `x')
define(`$', `dollar')dnl
indir(`$')
