patsubst(`aaa', `^a', `b')
patsubst(`aaa', `a$', `b')
patsubst(`line1
line2', `^', `> ')
patsubst(`abc', `$', `!')
