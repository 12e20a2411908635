define(`foo', `Foo $1')dnl
define(`bar', `')dnl
define(`baz', `multi
line')dnl
dumpdef(`foo', `bar', `baz')dnl
text
