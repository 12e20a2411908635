errprint
[errprint()]
