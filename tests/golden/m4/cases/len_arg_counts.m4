len
[len(`a', `b')]
