define(`f', `<$1>')dnl
f(include(`inc/part.m4'))
