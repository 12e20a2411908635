divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`queuegroup' [, `group']): choose the queue group of a recipient
dnl #  through the access map.  The ruleset queuegroup (Sendmail calls it by
dnl #  name for each recipient) looks up qgrp: entries only: the full address
dnl #  (user+detail@domain, user+*@domain, user@domain), then the domain and
dnl #  its parent domains.  Without an entry the recipient goes to group (the
dnl #  argument), or, without an argument, to the group its mailer chooses.
dnl #  Needs FEATURE(`access_db') first.
dnl #
ifdef(`_CF_FEATURE_access_db_', `', `_CF_ERROR(`FEATURE(queuegroup) needs FEATURE(access_db) first')')
define(`_CF_ACC_LIST_', `1')
divert(13)
######################################################################
#   queuegroup: "address" -> "$# group", or nothing for the default
######################################################################
Squeuegroup
R< $+ >			$1
R$+ @ $+		$: $>acc_list < ! qgrp > $| < F : $1 @ $2 > < D : $2 > < >
R<?>			ifelse(_ARG_, `', `$@', `$# _ARG_')
R< $+ >			$# $1
divert(-1)
