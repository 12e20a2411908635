patsubst(`abc', `', `-')
patsubst(`', `', `-')
patsubst(`abc', `x*', `-')
