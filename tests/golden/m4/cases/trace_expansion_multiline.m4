define(`f', `line1
line2')dnl
f
