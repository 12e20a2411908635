second file: a b
