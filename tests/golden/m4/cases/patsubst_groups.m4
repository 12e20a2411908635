patsubst(`John Smith', `\(\w+\) \(\w+\)', `\2, \1')
patsubst(`a-b-c', `\(\w\)-', `\1+')
patsubst(`abc', `\(b\)', `[\0|\1|\&]')
patsubst(`abc', `b', `[\1]')
