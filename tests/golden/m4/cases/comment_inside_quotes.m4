define(`x', `X')dnl
`# not a comment x' x
