define(`f', `F')define(`g', `G')dnl
traceon(`f')dnl
f g
traceoff(`f')dnl
f g
traceon`'dnl
f g len(`x')
traceoff`'dnl
f g
