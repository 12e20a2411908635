divert(1)one
divert(0)dnl
undivert(`inc/plain.txt', 1)dnl
