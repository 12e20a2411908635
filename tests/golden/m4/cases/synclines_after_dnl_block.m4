divert(-1)
define(`a', `A')
define(`b', `B')
divert(0)dnl
a
b
