ifelse(`a', `a', `equal')
[ifelse(`a', `b', `equal')]
