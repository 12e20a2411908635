divert(2)two
divert(1)one
divert(0)dnl
before
undivert
after
