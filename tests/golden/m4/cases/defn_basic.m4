define(`x', `hello $1')dnl
defn(`x')
define(`y', defn(`x'))dnl
y(world)
define(`z', `defn(`x')')dnl
z
