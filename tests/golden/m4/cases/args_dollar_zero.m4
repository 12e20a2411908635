define(`me', `I am `$0'')dnl
me
define(`alias', defn(`me'))dnl
alias
pushdef(`me', `now `$0' with $1')dnl
me(arg)
