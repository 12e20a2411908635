[ifelse(`a', `b')]
[ifelse(`a', `a')]
