define(`d', `$ $$ $a ${1} $-1 $1$')dnl
d(X)
define(`price', `costs $5.00')dnl
price
define(`tail', `end$')dnl
tail(1)
