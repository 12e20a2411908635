ifelse(`
This whole block is a comment, because ifelse with one
argument expands to nothing. Commas, (parens) are fine.
')dnl
after
