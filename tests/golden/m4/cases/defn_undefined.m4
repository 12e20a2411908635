[defn(`nosuch')]
[defn(`')]
