define(`x', `X', `extra')dnl
x
