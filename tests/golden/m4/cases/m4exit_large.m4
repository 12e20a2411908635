m4exit(256)
