dnl Only the last six X's are replaced (GNU pads to six, glibc's mkstemp takes
dnl six): a longer run keeps its first X's. maketemp does the same without -G.
define(`t', mkstemp(`mkXXXXXXXXXX.tmp'))dnl
define(`t2', mkstemp(`mkXXXXXXXXXX'))dnl
define(`t3', maketemp(`mkXXXXXXXXXX'))dnl
substr(t, 0, 6) substr(t2, 0, 6) substr(t3, 0, 6) len(t2) len(t3)
syscmd(`rm -f 't` 't2` 't3)dnl
