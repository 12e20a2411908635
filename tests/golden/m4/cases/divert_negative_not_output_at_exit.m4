divert(-1)
never
divert(1)kept
divert(0)dnl
main
