include(`inc/rel.m4')dnl
after
