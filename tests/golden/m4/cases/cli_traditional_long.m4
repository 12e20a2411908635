define(`f', `$1-$10-$11')dnl
f(a,b,c,d,e,f,g,h,i,j,k)
