undefine(`len')dnl
len(`abc')
undefine(`undefine')dnl
undefine(`define')
