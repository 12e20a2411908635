indir
[indir()]
