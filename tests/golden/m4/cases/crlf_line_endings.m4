define(`x', `X')dnl
x
dnl removed, but the CR before the newline belongs to this line
len(`ab
')
more

