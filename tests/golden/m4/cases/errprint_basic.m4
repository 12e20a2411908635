before
errprint(`message to stderr
')dnl
after
