define(`x')dnl
[x]
ifdef(`x', `defined', `undefined')
