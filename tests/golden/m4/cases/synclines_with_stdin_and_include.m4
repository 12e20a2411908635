first
include(`inc/defs.m4')dnl
greet(`a')
