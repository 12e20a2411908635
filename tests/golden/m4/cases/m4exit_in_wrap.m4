m4wrap(`in wrap
m4exit(6)
not after exit
')dnl
m4wrap(`first registered? 
')dnl
main
