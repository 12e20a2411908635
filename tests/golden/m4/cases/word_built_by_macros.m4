define(`hello', `HELLO')dnl
define(`cat', `$1$2')dnl
cat(`hel', `lo')
cat(hel, lo)
define(`h', `hel')dnl
define(`l', `lo')dnl
h`'l
