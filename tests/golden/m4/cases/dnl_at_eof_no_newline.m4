before
dnl at the end without newline