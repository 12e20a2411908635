m4exit(0)dnl
not shown
