define(`f', `[$1]')dnl
f(1)
include(`inc/callf.m4')dnl
