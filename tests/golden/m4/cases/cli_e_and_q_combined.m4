len(`a', `b')
after
