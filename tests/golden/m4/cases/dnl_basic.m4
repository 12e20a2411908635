line one dnl this is removed
line two
dnl whole line removed
line three dnl
line four
