define(`x', `X', `extra')x
[index(`abc')]
