divert(-1)
define(`push', `pushdef(`_stack', `$1')')
define(`pop', `ifdef(`_stack', `_stack`'popdef(`_stack')', `EMPTY')')
define(`drain', `ifdef(`_stack', `pop `'drain')')
define(`_q', `')
define(`enqueue', `define(`_q', ifelse(defn(`_q'), `', ``$1'', `defn(`_q')`,$1''))')
define(`_first', `$1')
define(`dequeue', `_first(_q)`'define(`_q', quote(shift(_q)))')
define(`quote', `ifelse(`$#', `0', `', ``$*'')')
divert(0)dnl
push(`one')push(`two')push(`three')dnl
pop pop
push(`four')dnl
drain
pop
enqueue(`a')enqueue(`b')enqueue(`c')dnl
dequeue dequeue [_q]
