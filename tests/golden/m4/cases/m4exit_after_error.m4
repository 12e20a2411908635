eval(--1)
m4exit
