define(`f', `F')dnl
traceon(`f')dnl
debugfile(`debugfile_to_file.tmp')dnl
f(1)
debugfile`'dnl
f(2)
include(`debugfile_to_file.tmp')dnl
syscmd(`rm -f debugfile_to_file.tmp')dnl
