changequote()__file__
changequote(,x)__file__
