define(`mylen', defn(`len'))dnl
mylen(`hello')
