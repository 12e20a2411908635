define(`f', `<$1>')dnl
divert(1)diverted
divert(0)dnl
f(before undivert(1) after)
