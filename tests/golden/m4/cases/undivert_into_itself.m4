divert(1)one
undivert(1)dnl
divert(0)dnl
main
