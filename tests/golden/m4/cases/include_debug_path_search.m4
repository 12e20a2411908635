include(`b.m4')dnl
sinclude(`nope.m4')dnl
