define(`x', `XX')dnl
`a `b `c' x' x'
``x''
```x'''
define(`q', ``nested' `x'')dnl
q
