eval(5, 1)
