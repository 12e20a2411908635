define(`mysubstr', defn(`substr'))dnl
[mysubstr(`abc')]
[mysubstr(`abc', `x')]
define(`myeval', defn(`eval'))dnl
myeval(`1/0')
