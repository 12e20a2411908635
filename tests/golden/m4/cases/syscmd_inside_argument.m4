define(`f', `<$1>')dnl
f(a syscmd(`echo shell') b)
