m4wrap(`len(')m4wrap(`abc)
')dnl
main
