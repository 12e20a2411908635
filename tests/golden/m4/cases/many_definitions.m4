define(`def', `define(`m$1', `v$1')')dnl
def(1)def(2)def(3)def(4)def(5)def(6)def(7)def(8)def(9)def(10)dnl
m1 m5 m10 m11
