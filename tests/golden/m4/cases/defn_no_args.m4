defn
[defn()]
