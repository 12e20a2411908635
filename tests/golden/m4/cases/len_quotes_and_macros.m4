define(`x', `hello')dnl
len(x)
len(`x')
len(``x'')
