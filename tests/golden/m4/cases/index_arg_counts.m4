index
[index(`abc')]
index(`abc', `c', `extra')
