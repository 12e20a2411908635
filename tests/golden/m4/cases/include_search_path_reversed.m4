include(`both.m4')dnl
