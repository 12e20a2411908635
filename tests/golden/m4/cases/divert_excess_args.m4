divert(1, 2)dnl
in one
divert(0)dnl
zero
