divert(-1)
changequote(`[[', `]]')
define([[escape]], [[patsubst(patsubst(patsubst([[$1]], [[&]], [[&amp;]]), [[<]], [[&lt;]]), [[>]], [[&gt;]])]])
define([[tag]], [[<$1>escape([[$2]])</$1>]])
divert(0)dnl
tag([[p]], [[1 < 2 && 3 > 2]])
tag([[code]], [[a `quoted' <b>]])
