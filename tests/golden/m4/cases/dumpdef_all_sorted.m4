undefine(`__gnu__', `__unix__', `__file__', `__line__', `__program__')dnl
define(`zeta', `Z')define(`alpha', `A')define(`mid', `M')dnl
dumpdef`'dnl
