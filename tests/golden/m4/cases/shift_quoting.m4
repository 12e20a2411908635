define(`A', `expanded')dnl
shift(`x', `A', ``A'')
define(`q', `shift($@)')dnl
q(`x', `A', ``A'')
