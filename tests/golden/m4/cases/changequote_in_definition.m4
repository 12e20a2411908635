define(`brackets', `changequote([,])')dnl
brackets`'dnl
[quoted] `not'
define([x], [X])dnl
[x] x
