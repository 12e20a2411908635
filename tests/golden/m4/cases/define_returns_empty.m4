[define(`x', `y')]
[undefine(`x')]
