[defn(`len')]
define(`x', `a'defn(`len')`b')dnl
[x]
[defn(`len', `define')]
