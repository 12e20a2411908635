define(`ten', `[$10][$11][$1]0')dnl
ten(a,b,c,d,e,f,g,h,i,j,k,l)
ten(a,b)
define(`big', `$100')dnl
big(x)
