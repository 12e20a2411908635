divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  pop.m4 -- deliver into a POP mailbox with MH's spop: user@POP goes to
dnl #  the pop mailer.  POP is a pseudo domain (class P).
dnl #
_CF_DEFAULT(`POP_MAILER_PATH', `/usr/lib/mh/spop')
_CF_DEFAULT(`POP_MAILER_FLAGS', `Penu')
_CF_DEFAULT(`POP_MAILER_ARGS', `pop $u')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
_CF_CLASS_ADD(`P', `POP')
divert(7)dnl

#####################################
###   pop mailer                  ###
#####################################

Mpop,		P=POP_MAILER_PATH, F=`lsDFMq'POP_MAILER_FLAGS, S=env_from_local, R=env_to_local/hdr_to_local,
		`T=DNS/RFC822/X-Unix'_CF_MF_SET(`POP_MAILER_QGRP', `Q'),
		A=POP_MAILER_ARGS
divert(11)dnl
# user@POP
R$+ < @ POP . >		$`#'pop $: $1
divert(-1)
