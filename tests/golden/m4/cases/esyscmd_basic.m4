[esyscmd(`echo hello')]
[esyscmd(`printf "no newline"')]
define(`x', `X')dnl
esyscmd(`echo x')
