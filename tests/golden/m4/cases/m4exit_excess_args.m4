m4exit(5, 2)
