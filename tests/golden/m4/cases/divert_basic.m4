start
divert(1)dnl
in one
divert(2)dnl
in two
divert(0)dnl
back in zero
