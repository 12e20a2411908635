builtin
[builtin()]
