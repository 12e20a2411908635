define(`loop', `[len(loop)]')dnl
before
loop
after
