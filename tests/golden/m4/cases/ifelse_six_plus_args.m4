define(`classify', `ifelse(`$1', `a', `first', `$1', `b', `second', `$1', `c', `third', `other')')dnl
classify(`a') classify(`b') classify(`c') classify(`z')
ifelse(`x', `y', `1', `x', `z', `2')
[ifelse(`x', `y', `1', `x', `z', `2')]
ifelse(`x', `y', `1', `x', `x', `2', `extra')
