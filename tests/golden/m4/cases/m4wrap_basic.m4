m4wrap(`this comes last
')dnl
main text
