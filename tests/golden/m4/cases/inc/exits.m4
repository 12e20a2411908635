in file
m4exit(4)
not reached
