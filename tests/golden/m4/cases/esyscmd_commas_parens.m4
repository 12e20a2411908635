define(`f', `<$1|$2>')dnl
f(esyscmd(`printf "x,y"'))
f(`esyscmd(`printf "x,y"')')
