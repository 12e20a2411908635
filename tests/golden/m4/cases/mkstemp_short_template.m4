define(`t', mkstemp(`short'))dnl
len(t) regexp(t, `^short')
syscmd(`rm -f 't)dnl
