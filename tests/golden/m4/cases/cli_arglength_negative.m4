dnl A negative -l does not cut traced arguments.
define(`f', `F')f(`abcdefghijklmnopqrstuvwxyz', `0123456789')
