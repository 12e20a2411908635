define(`countdown', `$1 ifelse(`$1', `0', `liftoff', `countdown(decr($1))')')dnl
countdown(5)
