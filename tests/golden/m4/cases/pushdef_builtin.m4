pushdef(`len', `shadowed')dnl
len(`abc')
popdef(`len')dnl
len(`abc')
