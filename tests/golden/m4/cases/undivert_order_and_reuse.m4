divert(1)a
divert(2)b
divert(1)c
divert(0)dnl
undivert(1)dnl
divert(1)d
divert(0)dnl
end
