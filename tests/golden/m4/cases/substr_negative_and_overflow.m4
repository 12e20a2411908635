[substr(`abcdef', -1)]
[substr(`abcdef', -2, 4)]
[substr(`abcdef', 2, -1)]
[substr(`abcdef', 2, 100)]
