len(a,
b,
c