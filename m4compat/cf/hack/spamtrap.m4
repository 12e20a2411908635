divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`spamtrap'): spam trap addresses.  A recipient that the access
dnl #  map calls POISON (a To: entry for the address exactly as the client
dnl #  gave it, between its angle brackets) poisons the message: the
dnl #  recipient is accepted, but check_eoh refuses the message (550 5.7.1).
dnl #  A To: header that is such an address alone refuses it too (ruleset
dnl #  CheckTo).  Needs FEATURE(`access_db') first.
dnl #
ifdef(`_CF_FEATURE_access_db_', `', `_CF_ERROR(`HACK(spamtrap) needs FEATURE(access_db) first')')
define(`_CF_ACC_LIST_', `1')
divert(13)
######################################################################
#   spamtrap: recipients and To: headers that the access map poisons
######################################################################
SLocal_check_rcpt
R$*			$: $1 $| $1
R$* $| $* < $+ > $*	$1 $| $3
R$* $| $+		$: $1 $| $>acc_list < ! To > $| < E : $2 > < >
R$* $| < POISON >	$: $1 $| $(macro {PoisonRecipient} $@ POISON $)
R$* $| $*		$: $1

Scheck_eoh
R$*			$: $&{PoisonRecipient}
RPOISON			$# error $@ 5.7.1 $: 550 Mail sent to spam lists is not accepted here

HTo: $>CheckTo
SCheckTo
R$+ , $+		$@ $1 , $2
R$*			$: $1 $| $>acc_list < ! To > $| < E : $1 > < >
R$* $| < POISON >	$# error $@ 5.7.1 $: 550 Mail sent by spamware is not accepted here
R$* $| $*		$: $1
divert(-1)
