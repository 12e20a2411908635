__gnu__ __unix__ unix
[esyscmd(`echo hi')]
[indir(`len', `abc')]
len(`abc')
patsubst(`abc', `b', `x')
