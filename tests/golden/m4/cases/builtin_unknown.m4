before builtin(`nosuch') after
builtin(`') end
