define(`f', `<$1>')dnl
f(a   )
f(a
)
f(  `a'  )
