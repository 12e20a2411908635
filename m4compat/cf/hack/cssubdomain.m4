divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`cssubdomain'): during a move of the local hosts from
dnl #  .Berkeley.EDU to .CS.Berkeley.EDU, treat our names under either domain
dnl #  as this host ($j).  Rules for the canonify ruleset (diversion 3).
dnl #
divert(3)
# our names under .CS.Berkeley.EDU and under .Berkeley.EDU are this host
R$* < @ $=w .CS.Berkeley.EDU > $*	$: $1 < @ $j > $3
R$* < @ $=w .Berkeley.EDU > $*	$: $1 < @ $j > $3
divert(-1)
