define(`len', `no length here')dnl
len(`abc')
define(`mylen', defn(`builtin'))dnl
mylen(`len', `abc')
