divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  cyrusv2.m4 -- Cyrus IMAP 2.x: the cyrusv2 mailer speaks LMTP to the
dnl #  server's socket (a local socket "FILE path" or "TCP host port").
dnl #  Nothing is routed to it by default: set confLOCAL_MAILER to cyrusv2, or
dnl #  route with the mailertable.
dnl #
_CF_DEFAULT(`CYRUSV2_MAILER_FLAGS', `A@/:|m')
_CF_DEFAULT(`CYRUSV2_MAILER_ARGS', `FILE /var/run/cyrus/socket/lmtp')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
divert(7)dnl

#####################################
###   cyrusv2 mailer              ###
#####################################

Mcyrusv2,	P=[IPC], F=`lsDFMnqXz'CYRUSV2_MAILER_FLAGS,
		S=env_from_smtp/hdr_from_local, R=env_to_local/hdr_to_local, E=\r\n,
		_CF_MF_PRE(`CYRUSV2_MAILER_MAXMSGS', `m')_CF_MF_PRE(`CYRUSV2_MAILER_MAXRCPTS', `r')_CF_MF_PRE(`CYRUSV2_MAILER_CHARSET', `C')`T=DNS/RFC822/SMTP'_CF_MF_SET(`CYRUSV2_MAILER_QGRP', `Q'),
		A=CYRUSV2_MAILER_ARGS
divert(-1)
