ifelse(`1', `01', `same', `different strings')
ifelse(eval(1), eval(01), `same numbers', `different')
