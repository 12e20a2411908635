include(`inc/open_quote.m4')dnl
after
