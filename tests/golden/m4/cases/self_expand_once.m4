define(`x', `[`x']')dnl
x
define(`y', `y')dnl
`y is defined as itself: 'defn(`y')
