changequote([, ])dnl
[a] `b'
changequote`'dnl
[a] `b'
changequote([,])dnl
[c]
changequote()dnl
[c] `d'
