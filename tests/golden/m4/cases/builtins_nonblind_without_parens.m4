divert(1)dnl
diverted
divert
divnum sysval __line__ __file__ __program__
undivert
changequote[not quoted]changequote
changecom#not a comment
changecom`'dnl
traceoff debugmode debugfile
m4exit
not reached
