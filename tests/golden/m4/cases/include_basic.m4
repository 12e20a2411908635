before
include(`inc/defs.m4')dnl
after: greet(`you')
