changequote([)dnl
[a' `b'
[a]
changequote(`<')dnl
