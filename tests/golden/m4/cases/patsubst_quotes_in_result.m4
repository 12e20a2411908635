define(`x', `X')dnl
patsubst(`a b', `b', `x')
patsubst(`a b', `b', ``x'')
patsubst(`a,b', `,', `)')
