divert(-1)define(`_CF_LOADED_')
#
#  HACK(`cssubdomain'): during a move of the local hosts from
#  .Berkeley.EDU to .CS.Berkeley.EDU, treat our names under either domain
#  as this host ($j).  Rules for the canonify ruleset (diversion 3).
#
divert(3)
# our names under .CS.Berkeley.EDU and under .Berkeley.EDU are this host
R$* < @ $=w .CS.Berkeley.EDU > $*	$: $1 < @ $j > $3
R$* < @ $=w .Berkeley.EDU > $*	$: $1 < @ $j > $3
divert(-1)
