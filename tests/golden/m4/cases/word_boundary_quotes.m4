define(`a', `b')dnl
define(`bc', `BC')dnl
define(`ac', `AC')dnl
a`'c
a()c
ac
`a'c
