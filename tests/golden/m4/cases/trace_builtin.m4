len(`abc') eval(1+2)
