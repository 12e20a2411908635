include(`inc/diverts.m4')dnl
main text
