divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`dnsbl', zone [, message [, `t']]): reject clients whose address
dnl #  is listed in a DNS block list zone.  The message may use $&{client_addr};
dnl #  with `t' as third argument a failed lookup is a temporary error (451),
dnl #  otherwise it is ignored.
dnl #
ifelse(_ARG_, `', `_CF_ERROR(`FEATURE(dnsbl) needs the block list zone')')
define(`_CF_DNSBL_LIST_', `1')
define(`_CF_MAP_dnsbl_', `dns -R A -T<TMP>')

divert(12)# block list _ARG_
R$-.$-.$-.$- $| OK	$: $1.$2.$3.$4 $| <?> $(dnsbl $4.$3.$2.$1._ARG_. $: OK $)
R$* $| <?> OK		$: $1 $| OK
ifelse(_ARG3_, `t', `R$* $| <?> $+ <TMP>	$# error $@ 4.4.3 $: "451 Temporary lookup failure of " $&{client_addr} " at _ARG_"',
`R$* $| <?> $+ <TMP>	$: $1 $| OK')
R$* $| <?> $+		$# error $@ 5.7.1 $: ifelse(_ARG2_, `', `"550 Rejected: " $&{client_addr} " listed at _ARG_"', `_ARG2_')
divert(-1)
