patsubst(`abc', `b', `\')
regexp(`abc', `b', `x\')
