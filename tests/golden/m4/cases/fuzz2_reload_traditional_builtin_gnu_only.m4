builtin(`format', `[%d]', 7) builtin(`len', `abc')
