eval
[eval()]
[eval(1, 10, 2, 4)]
