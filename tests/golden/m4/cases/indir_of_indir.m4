define(`f', `F($1)')dnl
indir(`indir', `f', `z')
