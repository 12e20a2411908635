changecom(`b')changequote(`a',`z')len(abcz) abcz
