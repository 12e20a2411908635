include(`inc/exits.m4')dnl
never printed
