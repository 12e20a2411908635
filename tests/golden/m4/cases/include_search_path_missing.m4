include(`b.m4')dnl
after
