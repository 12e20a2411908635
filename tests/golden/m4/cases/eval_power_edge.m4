eval(0 ** 0)
eval(2 ** 0)
eval(-2 ** 3)
eval((-2) ** 3)
[eval(2 ** -1)]
eval(1 ** -1)
eval(-1 ** -1)
eval(3 ** 20)
