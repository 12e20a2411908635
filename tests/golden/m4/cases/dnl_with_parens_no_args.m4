dnl()still removed
text
