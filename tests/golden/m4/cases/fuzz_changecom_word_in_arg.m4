changecom(`a')len(ab)ab
b)
