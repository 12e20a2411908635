divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  phquery.m4 -- the "ph" mailer: phquery looks the recipient up in a CCSO
dnl #  name server and resends the message to the address found.  Nothing is
dnl #  routed to it by default (use a mailertable entry or LOCAL_RULE_0).
dnl #
_CF_DEFAULT(`PH_MAILER_PATH', `/usr/local/etc/phquery')
_CF_DEFAULT(`PH_MAILER_FLAGS', `ehmu')
_CF_DEFAULT(`PH_MAILER_ARGS', `phquery -- $u')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
divert(7)dnl

#####################################
###   ph mailer                   ###
#####################################

Mph,		P=PH_MAILER_PATH, F=`nrDFM'PH_MAILER_FLAGS, S=env_from_local, R=env_to_local/hdr_to_local,
		`T=DNS/RFC822/X-Unix'_CF_MF_SET(`PH_MAILER_QGRP', `Q'),
		A=PH_MAILER_ARGS
divert(-1)
