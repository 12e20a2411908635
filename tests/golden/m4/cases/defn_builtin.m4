define(`mydefine', defn(`define'))dnl
mydefine(`x', `X')dnl
x
define(`size', defn(`len'))dnl
size(`hello')
size
