divert(1)one
divert(0)dnl
undivert(`x1')dnl
undivert(1)dnl
