patsubst(`a', `a')
