translit(`abab', `aa', `xy')
translit(`abc', `aba', `123')
