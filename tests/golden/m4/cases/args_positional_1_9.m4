define(`p', `$9$8$7$6$5$4$3$2$1')dnl
p(1,2,3,4,5,6,7,8,9)
p(a,b,c)
define(`first', `$1')dnl
first
