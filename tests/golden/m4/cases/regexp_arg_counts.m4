regexp
[regexp(`abc')]
regexp(`abc', `b', `x', `extra')
