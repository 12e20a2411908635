) stray ( parens ) stay
define(`f', `F')dnl
f) (f) ((f))
