divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  fax.m4 -- facsimile transmission through HylaFAX's faxmail: an address
dnl #  user@number.FAX goes to the fax mailer, host the number.  FAX is a
dnl #  pseudo domain (class P), so it is never looked up in the DNS.  The
dnl #  sender and recipient rulesets are the numbered ones 14 and 24, which a
dnl #  site may write itself; they are empty otherwise.
dnl #
_CF_DEFAULT(`FAX_MAILER_PATH', `/usr/bin/faxmail')
_CF_DEFAULT(`FAX_MAILER_ARGS', `faxmail -d $u@$h $f')
_CF_DEFAULT(`FAX_MAILER_MAX', `100000')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
_CF_CLASS_ADD(`P', `FAX')
divert(7)dnl

#####################################
###   fax mailer                  ###
#####################################

Mfax,		P=FAX_MAILER_PATH, F=`DFMhu', S=14, R=24,
		_CF_MF_PRE(`FAX_MAILER_MAX', `M')`T=X-Phone/X-FAX/X-Unix'_CF_MF_SET(`FAX_MAILER_QGRP', `Q'),
		A=FAX_MAILER_ARGS
divert(11)dnl
# user@number.FAX
R$+ < @ $+ . FAX . >	$`#'fax $@ $2 $: $1
divert(-1)
