translit(`hello world', `lo')
translit(`hello world', `elo', `E')
translit(`aaa', `a', `')
