[eval()]
[eval(` ')]
