indir(defn(`define'))
builtin(defn(`len'))
