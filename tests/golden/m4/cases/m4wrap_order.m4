m4wrap(`first
')dnl
m4wrap(`second
')dnl
m4wrap(`third
')dnl
main
