define(`greet', `hello, $1')dnl
text from defs.m4
