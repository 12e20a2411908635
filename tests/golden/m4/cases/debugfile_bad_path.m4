debugfile(`no_such_dir/debug.tmp')dnl
after
