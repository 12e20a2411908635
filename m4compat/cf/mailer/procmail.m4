divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  procmail.m4 -- the procmail mailer, meant as a target of mailertable
dnl #  entries: "procmail:/etc/procmailrcs/rcfile" runs procmail -m with that
dnl #  rc file ($h), the sender ($f) and the recipient ($u) as arguments.
dnl #  Envelope and header addresses are rewritten as for SMTP, so the smtp
dnl #  mailer should be loaded first.
dnl #
_CF_DEFAULT(`PROCMAIL_MAILER_PATH', `/usr/local/bin/procmail')
_CF_DEFAULT(`PROCMAIL_MAILER_FLAGS', `SPhnu9')
_CF_DEFAULT(`PROCMAIL_MAILER_ARGS', `procmail -Y -m $h $f $u')
dnl #  _CF_MF_PRE(macro, letter): "letter=value, " when the macro is defined;
dnl #  _CF_MF_SET(macro, letter): ", letter=value" when its value is not empty.
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
divert(7)dnl

#####################################
###   procmail mailer             ###
#####################################

Mprocmail,	P=PROCMAIL_MAILER_PATH, F=`DFM'PROCMAIL_MAILER_FLAGS, S=env_from_smtp/hdr_from_smtp, R=env_to_smtp/hdr_from_smtp,
		_CF_MF_PRE(`PROCMAIL_MAILER_MAX', `M')`T=DNS/RFC822/X-Unix'_CF_MF_SET(`PROCMAIL_MAILER_QGRP', `Q'),
		A=PROCMAIL_MAILER_ARGS
divert(-1)
