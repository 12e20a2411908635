dnl -L goes through atoi: 4294967299 wraps to 3 in a 32-bit int.
define(`n', `[$1]')n(n(n(x)))
n(n(n(n(x))))
