define(`second', `$2')dnl
define(`f', second(`ignored', defn(`len')))dnl
f(`abc')
