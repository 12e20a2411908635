dnl An include read up inside an argument list shows nothing of the file, but GNU's
dnl push_file still forces the next sync line, with the file name.

len(include(`inc/closes.m4') y
define(`f', `$1')f(`a', include(`inc/part.m4'))z
w
