define(`x', `X')dnl
ifdef(`x', `yes', `no')
ifdef(`nosuch', `yes', `no')
ifdef(`nosuch', `yes')
ifdef(`len', `builtin is defined')
ifdef(`x')
