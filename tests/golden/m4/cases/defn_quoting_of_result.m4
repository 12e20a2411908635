define(`a', `A')dnl
define(`b', `a')dnl
defn(`b')
`'defn(`b')`'
define(`c', `$1 `a'')dnl
defn(`c')
