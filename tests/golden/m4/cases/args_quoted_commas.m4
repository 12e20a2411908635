define(`f', `$#:<$1|$2>')dnl
f(`a,b,c')
f(`a',`,',`b')
f(a`,'b)
