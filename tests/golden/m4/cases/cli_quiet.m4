len(`a', `b')
[len]
eval(1/0)
indir(`nosuch')
