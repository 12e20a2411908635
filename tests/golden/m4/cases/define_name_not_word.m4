define(`two words', `TW')dnl
two words
indir(`two words')
define(`', `empty name')dnl
indir(`')
define(`123', `num')dnl
123 indir(`123')
