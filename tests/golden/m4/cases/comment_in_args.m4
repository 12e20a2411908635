define(`f', `[$1][$2]')dnl
f(a # comment, with comma )
, b)
f(`a', # ) paren in comment
b)
