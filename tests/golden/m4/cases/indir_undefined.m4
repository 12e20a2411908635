before
indir(`nosuch', `a')
after
