divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`enhdnsbl', zone [, message [, `t' [, value...]]]): like dnsbl,
dnl #  but the client is rejected only when the A record of the lookup is one of
dnl #  the values (each with a trailing dot; a value ending in a dot after fewer
dnl #  than four numbers matches a prefix).  Without values any 127.x.y.z answer
dnl #  rejects.
dnl #
ifelse(_ARG_, `', `_CF_ERROR(`FEATURE(enhdnsbl) needs the block list zone')')
define(`_CF_DNSBL_LIST_', `1')
define(`_CF_MAP_enhdnsbl_', `dns -R A -a. -T<TMP> -r')
dnl # one listed return value; the .cf's own $* and $1 are quoted apart so
dnl # that m4 does not take them for this macro's arguments
define(`_CF_ENH_VALUE', `ifelse(`$1', `', `', `R$`'* $| <?> $1		$: $`'1 $| <HIT>
')')

divert(12)# block list _ARG_ (by value)
R$-.$-.$-.$- $| OK	$: $1.$2.$3.$4 $| <?> $(enhdnsbl $4.$3.$2.$1._ARG_. $: OK $)
R$* $| <?> OK		$: $1 $| OK
ifelse(_ARG3_, `t', `R$* $| <?> $+ <TMP>	$# error $@ 4.4.3 $: "451 Temporary lookup failure of " $&{client_addr} " at _ARG_"',
`R$* $| <?> $+ <TMP>	$: $1 $| OK')
ifelse(_ARG4_, `', `R$* $| <?> 127 . $-	$: $1 $| <HIT>
', `_CF_ENH_VALUE(_ARG4_)_CF_ENH_VALUE(_ARG5_)_CF_ENH_VALUE(_ARG6_)_CF_ENH_VALUE(_ARG7_)_CF_ENH_VALUE(_ARG8_)_CF_ENH_VALUE(_ARG9_)')dnl
R$* $| <?> $*		$: $1 $| OK
R$* $| <HIT>		$# error $@ 5.7.1 $: ifelse(_ARG2_, `', `"550 Rejected: " $&{client_addr} " listed at _ARG_"', `_ARG2_')
divert(-1)
