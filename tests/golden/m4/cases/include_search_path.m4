include(`a.m4')dnl
include(`b.m4')dnl
include(`both.m4')dnl
