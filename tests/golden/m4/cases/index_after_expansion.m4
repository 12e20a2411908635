define(`hay', `needle in a haystack')dnl
index(hay, `hay')
index(`hay', `hay')
