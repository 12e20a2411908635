define(`a', `AA')define(`b', `BB')dnl
defn(`a', `b')
defn(`a', `undefined_name', `b')
define(`ab', defn(`a', `b'))dnl
ab
