ifelse(`a', `b', `1', `c', `d', `2', `default')
ifelse(`a', `b', `1', `c', `c', `2', `default')
