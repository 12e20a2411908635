eval(1 ? 2 : 3)
eval(0 ? 2 : 3)
eval(1 ? 0 ? 4 : 5 : 6)
eval(0 ? 1/0 : 9)
[eval(1 ? 2)]
[eval(`1, 2')]
[eval(1, 2)]
