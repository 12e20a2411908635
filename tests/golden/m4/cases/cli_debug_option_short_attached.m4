define(`f', `F')dnl
f(`1')
