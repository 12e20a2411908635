define(`x', `bottom')pushdef(`x', `top')dnl
dumpdef(`x')dnl
