pushdef(`x', defn(`len'))dnl
x(`abc')
pushdef(`x', `text')dnl
x
popdef(`x')dnl
x(`abcdef')
