define(`XY', `macro!')dnl
translit(`xy', `a-z', `A-Z')
translit(``xy'', `a-z', `A-Z')
