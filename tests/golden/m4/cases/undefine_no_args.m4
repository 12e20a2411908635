undefine
undefine()
[undefine(`')]
