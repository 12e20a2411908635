divert(1)one
divert(2)two
divert(3)three
divert(0)dnl
undivert(2)dnl
---
undivert(3, 1)dnl
---
undivert(1)dnl
empty now
