dumpdef(`define', `len', `dnl')dnl
define(`mylen', defn(`len'))dnl
dumpdef(`mylen')dnl
