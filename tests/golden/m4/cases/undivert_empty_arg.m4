divert(1)one
divert(0)dnl
[undivert(`')]
