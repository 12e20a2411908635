before
[eval(1 / 0)]
[eval(1 % 0)]
after
