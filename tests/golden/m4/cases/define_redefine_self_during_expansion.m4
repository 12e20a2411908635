define(`x', `first define(`x', `second')')dnl
x
x
