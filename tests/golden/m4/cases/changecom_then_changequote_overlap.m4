changecom(`[', `]')dnl
changequote(`[', `]')dnl
[is this a comment or a quote?] x
