define(`x', `early')dnl
m4wrap(`x is x
')dnl
define(`x', `late')dnl
main
