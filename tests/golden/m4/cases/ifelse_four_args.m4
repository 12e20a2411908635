ifelse(`a', `a', `yes', `no')
ifelse(`a', `b', `yes', `no')
ifelse(`', `', `both empty')
ifelse(` a', `a', `same', `leading space differs')
