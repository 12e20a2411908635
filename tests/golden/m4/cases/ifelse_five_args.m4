[ifelse(`a', `b', `c', `d', `e')]
[ifelse(`a', `a', `c', `d', `e')]
