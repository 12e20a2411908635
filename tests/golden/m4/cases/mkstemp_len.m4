define(`t', mkstemp(`barXXXXXX.tmp'))dnl
len(t)
define(`t2', mkstemp(`barXXXXXX'))dnl
len(t2) ifelse(t, t2, `same', `different')
syscmd(`test -f 't2)sysval
syscmd(`rm -f 't` 't2)dnl
