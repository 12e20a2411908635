divert(`-1')
# forloop(var, from, to, stmt) -- iterate var from FROM to TO inclusive
define(`forloop', `ifelse(eval(`($2) <= ($3)'), `1',
  `pushdef(`$1')_$0(`$1', eval(`$2'), eval(`$3'), `$4')popdef(`$1')')')
define(`_forloop',
  `define(`$1', `$2')$4`'ifelse(`$2', `$3', `',
    `$0(`$1', incr(`$2'), `$3', `$4')')')
# foreach(x, (item_1, item_2, ..., item_n), stmt)
define(`foreach', `pushdef(`$1')_$0(`$1', (dquote(dquote_elt$2)), `$3')popdef(`$1')')
define(`_arg1', `$1')
define(`_foreach', `ifelse(`$2', `(`')', `',
  `define(`$1', _arg1$2)$3`'$0(`$1', (dquote(shift$2)), `$3')')')
define(`dquote', ``$@'')
define(`dquote_elt', `ifelse(`$#', `0', `', `$#', `1', ```$1''',
                             ```$1'',$0(shift($@))')')
# join(sep, args...)
define(`join', `ifelse(`$#', `2', ``$2'',
  `ifelse(`$2', `', `', ``$2'_')$0(`$1', shift(shift($@)))')')
divert`'dnl
forloop(`i', `1', `5', `i ')
forloop(`i', `3', `1', `never')dnl
forloop(`i', `-2', `2', `[i]')
forloop(`x', `1', `3', `forloop(`y', `1', `3', `x*y=eval(x*y) ')
')dnl
foreach(`w', (`alpha', `beta', `gamma'), `<w> ')
foreach(`w', (`a,b', `(c)', `'), `[w]')
foreach(`w', (), `never')
define(`i', `outer')dnl
forloop(`i', `1', `2', `i')i
