regexp(`abc', `\(b\)', `\\1 is [\1] whole [\&] zero [\0]')
regexp(`abc', `b', `no group: [\1]')
regexp(`abc', `\(a\)\(b\)\(c\)', `\3\2\1')
regexp(`abcdefghij', `\(a\)\(b\)\(c\)\(d\)\(e\)\(f\)\(g\)\(h\)\(i\)\(j\)', `\9\8\1')
