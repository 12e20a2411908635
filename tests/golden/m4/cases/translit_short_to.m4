translit(`abcdef', `a-f', `xy')
