define(`x', `X dnl ignored')dnl
x same line
next
