define(`m', defn(`a_undefined', `len'))dnl
m(`abc')
define(`t', `text')dnl
define(`m2', defn(`t', `len'))dnl
[m2]
