dnl(`arg')still removed
dnl(a, b)
text after
