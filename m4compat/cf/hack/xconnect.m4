divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`xconnect'): the ruleset x_connect ("client name $| client
dnl #  address"), which says whether a client may use XCONNECT: yes when the
dnl #  access map has an XConnect: entry (whatever its value) for the client
dnl #  name or one of its parent domains, or for the address or one of its
dnl #  prefixes; "$# no" otherwise.  Needs FEATURE(`access_db') first.
dnl #
ifdef(`_CF_FEATURE_access_db_', `', `_CF_ERROR(`HACK(xconnect) needs FEATURE(access_db) first')')
define(`_CF_ACC_LIST_', `1')
divert(13)
######################################################################
#   x_connect: "client name $| client address" -> yes, or $# no
######################################################################
Sx_connect
R$+ $| $+		$: < $2 > $>acc_domain < ! XConnect > < $1 >
R$| $+			$: < > $>acc_address < ! XConnect > < $1 >
R< $+ > <?>		$: < > $>acc_address < ! XConnect > < $1 >
R< $* > <?>		$# no
R< $* > < $+ >		$@ yes
divert(-1)
