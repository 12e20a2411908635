[mkstemp(`no_such_dir/fooXXXXXX')]
after
