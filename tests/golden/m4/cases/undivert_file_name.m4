divert(1)diverted
divert(0)dnl
before
undivert(`inc/plain.txt')dnl
after
