define(`f', `<$1>')dnl
f(a errprint(`err
') b)
