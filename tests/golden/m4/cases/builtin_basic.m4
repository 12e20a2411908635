define(`len', `user-length')dnl
len(`abc')
builtin(`len', `abc')
builtin(`define', `z', `Z')z
