[substr(`abc', `x')]
[substr(`abc', 1, `y')]
[substr(`abc', `')]
[substr(`abc', ` 1')]
