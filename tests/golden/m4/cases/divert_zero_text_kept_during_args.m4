define(`f', `[$1]')dnl
f(divert(1)inside)
divert(0)dnl
main
