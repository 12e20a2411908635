one eval(1/0) two
three indir(`undef') four
five substr(`abc', `x') six
seven include(`no_such.m4') eight
nine
