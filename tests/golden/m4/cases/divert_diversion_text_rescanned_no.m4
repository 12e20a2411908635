divert(1)define(`y', `Y')y
divert(0)dnl
y
