builtin(`ifelse')
indir(`ifelse')
