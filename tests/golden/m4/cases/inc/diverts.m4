divert(1)dnl
diverted by the included file
divert(0)dnl
