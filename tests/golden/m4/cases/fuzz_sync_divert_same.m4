
divert(0)x
divert
y
