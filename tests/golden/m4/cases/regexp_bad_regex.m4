regexp(`abc', `\(')
regexp(`abc', `[')
after
