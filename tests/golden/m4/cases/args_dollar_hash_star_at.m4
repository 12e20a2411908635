define(`all', ``$0': $# [$*] [$@]')dnl
all
all()
all(a)
all(a, b, c)
all(`a,b', `c')
all(`x', `(y)')
