dnl dnl reading on to the end of the file of its call: GNU reports the end at
dnl the line of the call, which it keeps while the builtin runs.
dnl(
)