define(`deep', `ifelse($1, 0, `bottom', `deep(decr($1))')')dnl
deep(3)
