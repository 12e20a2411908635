format(%)
defn(`len', `len')
define(defn(`len'))
len(a, b)
