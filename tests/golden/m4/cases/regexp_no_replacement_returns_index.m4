regexp(`hello world', `o w')
regexp(`hello world', `^w')
regexp(`', `')
