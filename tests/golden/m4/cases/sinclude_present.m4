sinclude(`inc/defs.m4')dnl
greet(`x')
