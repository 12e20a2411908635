dnl -l goes through atoi: 4294967299 wraps to 3 in a 32-bit int.
define(`f', `F')f(`abcdefghijklmnopqrstuvwxyz', `0123456789')
