divert(1)one
divert(2)two
undivert(1)dnl
divert(0)dnl
main
undivert(2)dnl
