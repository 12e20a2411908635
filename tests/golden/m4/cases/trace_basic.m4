define(`foo', `Foo($1)')dnl
foo(a, b)
foo
`foo'
