eval(1 && 2) eval(0 && 1) eval(0 || 0) eval(0 || 7)
eval(!5) eval(!0) eval(!!9)
eval(0 && 1/0)
eval(1 || 1/0)
