define(`foobar', `FB')dnl
define(`foo', `F')dnl
foo`'bar
`foo'bar
foo()bar
`foo'`bar'
