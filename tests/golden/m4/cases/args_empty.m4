define(`n', `$#')dnl
n
n()
n(,)
n(,,)
n( )
n(`')
n(a,)
n(,a)
