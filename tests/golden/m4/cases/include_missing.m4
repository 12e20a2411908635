before
include(`inc/no_such_file.m4')
after
