divert(-1)
define(`x', `X')
this text is discarded
divert(0)dnl
x
divert(-5)gone too
divert`'dnl
visible
