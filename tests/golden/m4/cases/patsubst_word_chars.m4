patsubst(`foo_bar baz-qux', `\w+', `[\&]')
patsubst(`foo_bar baz-qux', `\W', `.')
patsubst(`one two', `\b', `|')
