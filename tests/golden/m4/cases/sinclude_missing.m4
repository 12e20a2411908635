before
sinclude(`inc/no_such_file.m4')dnl
[sinclude(`inc/no_such_file.m4')]
after
