before
syscmd(`echo hello from the shell')dnl
after
