errprint(`a', `b', `c')errprint(`
')dnl
