divert(1000)dnl
thousand
divert(7)dnl
seven
divert(0)dnl
main
