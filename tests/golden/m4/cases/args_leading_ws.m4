define(`f', `<$1|$2>')dnl
f(   a  ,	  b	)
f(
	a,
	b
)
f(`  a', ` b ')
f(` ', `	')
