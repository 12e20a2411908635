eval(5, 10, 4)
eval(-5, 10, 4)
eval(255, 16, 8)
eval(255, 2, 3)
eval(7, 10, 0)
[eval(7, 10, -1)]
eval(0, 10, 3)
