errprint(`no newline')dnl
text
