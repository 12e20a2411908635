define(`mysubstr', defn(`substr'))dnl
mysubstr(`abcdef', 2, 2)
