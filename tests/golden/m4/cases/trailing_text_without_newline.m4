define(`x', `X')dnl
last line x