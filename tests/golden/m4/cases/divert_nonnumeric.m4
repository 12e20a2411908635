divert(`abc')dnl
text
divert(` 2')dnl
more
