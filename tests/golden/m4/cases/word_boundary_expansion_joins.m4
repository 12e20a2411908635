define(`fo', `FO')dnl
define(`foo', `FOO')dnl
define(`x', `fo')dnl
define(`FOo', `joined')dnl
x`'o
xo
x()o
