divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  usenet.m4 -- post to a newsgroup with inews.  In ruleset 0, a local
dnl #  part of the form "group.USENET" (unqualified, or at a name of this
dnl #  host) goes to the usenet mailer with the group as its user.  Any group
dnl #  can be reached that way; sites that mind should not load this mailer.
dnl #
dnl #  Diversions: 21 is read into ruleset 0 after the virtual users and before
dnl #  the rules for this host's own names; 11 after those (pseudo domains).
dnl #
_CF_DEFAULT(`USENET_MAILER_PATH', `/usr/lib/news/inews')
_CF_DEFAULT(`USENET_MAILER_FLAGS', `rsDFMmn')
_CF_DEFAULT(`USENET_MAILER_ARGS', `inews -m -h -n')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
divert(7)dnl

#####################################
###   usenet mailer               ###
#####################################

Musenet,	P=USENET_MAILER_PATH, F=USENET_MAILER_FLAGS, S=env_from_local, R=env_to_local,
		_CF_MF_PRE(`USENET_MAILER_MAX', `M')`T=X-Usenet/X-Usenet/X-Unix'_CF_MF_SET(`USENET_MAILER_QGRP', `Q'),
		A=USENET_MAILER_ARGS $u
divert(21)dnl
# group.USENET at a name of this host is a newsgroup, not a local user
R$+ . USENET < @ $=w . >	$`#'usenet $@ usenet $: $1
divert(11)dnl
# group.USENET without a host is a newsgroup
R$+ . USENET		$`#'usenet $@ usenet $: $1
divert(-1)
