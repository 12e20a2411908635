before
eval(1/0)
after
