ifdef
[ifdef()]
[ifdef(`x')]
define(`x')dnl
[ifdef(`x', `a', `b', `c')]
