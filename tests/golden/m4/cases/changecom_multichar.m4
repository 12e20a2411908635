define(`x', `X')dnl
changecom(`/*', `*/')dnl
x /* x
x */ x
# x
changecom(`<!--', `-->')dnl
x <!-- x --> x
