define(`x', `X')dnl
café x naïve
len(`ÿþ')
