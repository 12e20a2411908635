define(`mine', `MINE')dnl
builtin(`mine')
