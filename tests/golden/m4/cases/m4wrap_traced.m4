define(`later', `L')dnl
m4wrap(`later
')dnl
main
