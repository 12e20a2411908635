shift(a, b, c)
shift(`a', `b,c', `d')
[shift(a)]
[shift()]
shift
