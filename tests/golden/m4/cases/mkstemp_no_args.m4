mkstemp
define(`t', mkstemp(`'))dnl
len(t)
syscmd(`rm -f 't)dnl
