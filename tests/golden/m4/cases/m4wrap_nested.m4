m4wrap(`outer wrap
m4wrap(`inner wrap, registered during wrap
')dnl
')dnl
m4wrap(`other wrap
')dnl
main
