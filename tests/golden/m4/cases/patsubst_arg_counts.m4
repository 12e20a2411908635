patsubst
[patsubst(`abc')]
patsubst(`abc', `b')
patsubst(`abc', `b', `x', `extra')
