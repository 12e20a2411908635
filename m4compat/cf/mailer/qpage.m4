divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  qpage.m4 -- QuickPage, a pager gateway: the recipient is the pager
dnl #  id.  Addresses are passed as they are (no S= or R= rulesets); nothing
dnl #  is routed to the mailer by default.
dnl #
_CF_DEFAULT(`QPAGE_MAILER_PATH', `/usr/local/bin/qpage')
_CF_DEFAULT(`QPAGE_MAILER_FLAGS', `mDFMs')
_CF_DEFAULT(`QPAGE_MAILER_ARGS', `qpage -l0 -m -P$u')
_CF_DEFAULT(`QPAGE_MAILER_MAX', `4096')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
divert(7)dnl

#####################################
###   qpage mailer                ###
#####################################

Mqpage,		P=QPAGE_MAILER_PATH, F=QPAGE_MAILER_FLAGS,
		_CF_MF_PRE(`QPAGE_MAILER_MAX', `M')`T=DNS/RFC822/X-Unix'_CF_MF_SET(`QPAGE_MAILER_QGRP', `Q'),
		A=QPAGE_MAILER_ARGS
divert(-1)
