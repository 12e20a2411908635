translit
[translit(`abc')]
translit(`abc', `a', `b', `extra')
