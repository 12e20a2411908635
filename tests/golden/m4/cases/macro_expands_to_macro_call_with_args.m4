define(`apply', `$1($2)')dnl
apply(`len', `hello')
apply(`translit', ``abc', `a', `A'')
define(`compose', `$1($2($3))')dnl
compose(`len', `substr', `hello world, 6')
