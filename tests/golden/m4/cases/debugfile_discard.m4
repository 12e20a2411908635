define(`f', `F')dnl
traceon(`f')dnl
debugfile(`')dnl
f
debugfile`'dnl
f
