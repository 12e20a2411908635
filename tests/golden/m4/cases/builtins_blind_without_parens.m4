define undefine defn pushdef popdef indir builtin
ifdef ifelse shift include sinclude
len index regexp substr translit patsubst format
incr decr eval syscmd esyscmd maketemp mkstemp
m4wrap errprint
