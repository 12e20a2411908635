define(`c', `text # comment x')dnl
define(`x', `X')dnl
c
define(`d', # comment as the body
)dnl
[d]
