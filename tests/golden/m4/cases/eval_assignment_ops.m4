[eval(1 = 1)]
[eval(`x += 1')]
[eval(1 == 1)]
