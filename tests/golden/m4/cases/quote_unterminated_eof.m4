before
`this string never ends
define(`x', `y')
x
