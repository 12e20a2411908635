define(`t', maketemp(`fooXXXXXX'))dnl
len(t)
ifelse(substr(t, 0, 3), `foo', `prefix kept')
syscmd(`test -f 't)sysval
syscmd(`rm -f 't)dnl
