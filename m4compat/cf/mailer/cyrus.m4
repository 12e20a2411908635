divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  cyrus.m4 -- the Cyrus IMAP delivery program: the cyrus mailer delivers
dnl #  to a user's mailbox (user+detail reaches the "detail" folder when its
dnl #  ACL allows), cyrusbb to a shared mailbox.  Nothing is routed to them by
dnl #  default: set confLOCAL_MAILER to cyrus, or route with the mailertable.
dnl #  The local mailer should be loaded first.
dnl #
_CF_DEFAULT(`CYRUS_MAILER_PATH', `/usr/sbin/cyrdeliver')
_CF_DEFAULT(`CYRUS_MAILER_FLAGS', `Ah5@/:|')
_CF_DEFAULT(`CYRUS_MAILER_ARGS', `cyrdeliver -e -m $h -- $u')
_CF_DEFAULT(`CYRUS_MAILER_USER', `cyrus:mail')
_CF_DEFAULT(`CYRUS_BB_MAILER_FLAGS', `u')
_CF_DEFAULT(`CYRUS_BB_MAILER_ARGS', `cyrdeliver -e -m $u')
dnl #  _CF_MF_PRE(macro, letter): "letter=value, " when the macro is defined;
dnl #  _CF_MF_SET(macro, letter): ", letter=value" when its value is not empty.
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
dnl #  the fields both mailers share, on the line after R=
define(`_CF_CYRUS_FIELDS', `_CF_MF_PRE(`CYRUS_MAILER_MAX', `M')_CF_MF_PRE(`CYRUS_MAILER_USER', `U')`T=DNS/RFC822/X-Unix'_CF_MF_SET(`CYRUS_MAILER_QGRP', `Q'),')
divert(7)dnl

#####################################
###   cyrus and cyrusbb mailers   ###
#####################################

Mcyrus,		P=CYRUS_MAILER_PATH, F=`lsDFMnPq'CYRUS_MAILER_FLAGS, S=env_from_local, R=env_to_local/hdr_to_local,
		_CF_CYRUS_FIELDS
		A=CYRUS_MAILER_ARGS
Mcyrusbb,	P=CYRUS_MAILER_PATH, F=`lsDFMnP'CYRUS_BB_MAILER_FLAGS, S=env_from_local, R=env_to_local/hdr_to_local,
		_CF_CYRUS_FIELDS
		A=CYRUS_BB_MAILER_ARGS
divert(-1)
