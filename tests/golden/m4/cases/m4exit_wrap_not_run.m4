m4wrap(`wrapped text
')dnl
main
m4exit(3)
