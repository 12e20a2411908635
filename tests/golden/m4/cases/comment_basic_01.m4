define(`x', `X')dnl
x # x is not expanded here
x
# `quotes' and (parens, in comments
x
