define(`x', `X')dnl
divert(1)x `x'
divert(0)dnl
undivert(1)dnl
