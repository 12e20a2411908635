define(`f', `F')dnl
traceon(`f')dnl
f
debugmode(`aeq')dnl
f(`x')
debugmode`'dnl
f
debugmode(`-e')dnl
f
debugmode(`+x')dnl
f
