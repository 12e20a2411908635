dumpdef(`nosuch')dnl
after
