divert(1)dnl
diverted
divert(0)dnl
m4wrap(`wrap text
divert(2)wrap diverted
')dnl
main
