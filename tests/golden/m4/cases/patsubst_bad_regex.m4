patsubst(`abc', `\(', `x')
next
