divert(1)dnl
diverted text
divert(0)dnl
main text
m4exit(2)
