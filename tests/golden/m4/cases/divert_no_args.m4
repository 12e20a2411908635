divert(1)dnl
diverted
divert
undiverted line
divnum
