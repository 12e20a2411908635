divert(1)lost text
divert(-1)undivert(1)
divert(0)dnl
nothing left:[undivert(1)]
