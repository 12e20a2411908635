include(`inc/defs.m4', `extra')dnl
greet(`z')
