dnl A traced dnl whose arguments span lines and that reads on in the same file:
dnl GNU reports the line of the call, which it keeps while the builtin runs.
dnl(
)
x dnl(a,
b) rest
z
