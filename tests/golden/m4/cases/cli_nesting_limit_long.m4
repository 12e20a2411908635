define(`a', `b(`x')')define(`b', `c(`y')')define(`c', `done')dnl
a
len(len(len(`z')))
