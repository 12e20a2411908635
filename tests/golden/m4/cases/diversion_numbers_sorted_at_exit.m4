divert(9)nine
divert(10)ten
divert(2)two
divert(100)hundred
divert(1)one
divert(0)dnl
