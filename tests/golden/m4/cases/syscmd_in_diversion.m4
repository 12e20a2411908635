divert(1)dnl
diverted text
syscmd(`echo shell output is not diverted')dnl
divert(0)dnl
main
