divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`rhsbl', zone [, message [, `t' | tempmessage]]): a right-hand
dnl #  side block list.  With the connection checks (in check_relay, and at
dnl #  RCPT time under FEATURE(`delay_checks')) the domain of the envelope
dnl #  sender, once it is canonical, is looked up as domain.zone in DNS; an
dnl #  answer rejects (550 5.7.1, or message, which may use $&{RHS}: the
dnl #  domain).  The access map (FEATURE(`access_db') first) can exempt
dnl #  senders: rhs: entries, or untagged ones, for user@domain and the domain
dnl #  and its parents, with OK or RELAY.  A failed lookup is ignored, or with `t' a temporary
dnl #  error (451 4.7.1); any other third argument is that error's text.
dnl #
ifelse(_ARG_, `', `_CF_WARNING(`FEATURE(rhsbl) without a block list zone')')
define(`_CF_DNSBL_LIST_', `1')
dnl # the map of FEATURE(`dnsbl') if that came first, else a host map
ifdef(`_CF_MAP_dnsbl_', `', `define(`_CF_MAP_dnsbl_', `host -T<TMP>')')
ifdef(`_CF_FEATURE_access_db_', `', `_CF_ERROR(`FEATURE(rhsbl) needs FEATURE(access_db) first')')
define(`_CF_ACC_LIST_', `1')

divert(12)# right-hand side block list _ARG_: the canonical domain of the sender
R$* $| OK		$: $1 $| <RHS> $>parse_check $>canonify $&f
R$* $| <RHS> $* < @ $+ . >	$: $1 $| <RHS> < @ $3 . > $| $>acc_list < + rhs > $| < F : $2 @ $3 > < D : $3 > < >
R$* $| <RHS> $* $| < $={Accept} >	$: $1 $| OK
R$* $| <RHS> < @ $+ . > $| $*	$: $1 $| <?> $(dnsbl $2._ARG_. $: OK $) $(macro {RHS} $@ $2 $)
R$* $| <RHS> $*		$: $1 $| OK
R$* $| <?> OK		$: $1 $| OK
ifelse(_ARG3_, `', `R$* $| <?> $+ <TMP>	$: $1 $| OK',
`R$* $| <?> $+ <TMP>	$# error $@ 4.7.1 $: ifelse(_ARG3_, `t', `"451 Temporary lookup failure of " $&{RHS} " at _ARG_"', `_ARG3_')')
R$* $| <?> $+		$# error $@ 5.7.1 $: ifelse(_ARG2_, `', `"550 Mail from " $&{RHS} " refused by blackhole site _ARG_"', `_ARG2_')
divert(-1)
