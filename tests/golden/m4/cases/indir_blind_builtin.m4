indir(`define', `x', `X')dnl
x
[indir(`len')]
