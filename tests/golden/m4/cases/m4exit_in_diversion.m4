divert(1)dnl
one
m4exit(4)
never
