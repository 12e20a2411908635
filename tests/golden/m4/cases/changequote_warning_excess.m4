changequote(`[', `]', `extra')dnl
[ok]
