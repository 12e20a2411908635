divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  mail11.m4 -- DECnet Phase IV mail through the mail11 program.
dnl #  node::user (and numeric a.b::user) becomes user@node.DECNET in ruleset
dnl #  3 and goes back to the node::user form in ruleset 4; DECNET is a pseudo
dnl #  domain (class P).  In ruleset 0, user@name.DECNET for a name of this
dnl #  host is a local user, and any other user@node.DECNET goes to mail11.
dnl #
dnl #  Diversions: 22 is read into ruleset 3 for addresses without an @ (before
dnl #  the % and ! forms are looked at), 23 into ruleset 4 after the address
dnl #  has lost its focus brackets; the ruleset 0 rules go to 4 (the local part
dnl #  of ruleset 0, where the .mc puts its own ruleset 0 rules too).
dnl #
_CF_DEFAULT(`MAIL11_MAILER_PATH', `/usr/etc/mail11')
_CF_DEFAULT(`MAIL11_MAILER_FLAGS', `nsFx')
_CF_DEFAULT(`MAIL11_MAILER_ARGS', `mail11 $g $x $h $u')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
_CF_CLASS_ADD(`P', `DECNET')
divert(7)dnl

#####################################
###   mail11 mailer               ###
#####################################

# mail11_to: addresses as mail11 wants them, node::user (host!user for
# UUCP); this node's own names go
Smail11_to
R$+ < @ $- . UUCP >	$: $2 ! $1
R$+ < @ $- . DECNET >	$: $2 :: $1
R$+ < @ $- . LOCAL >	$: $2 :: $1
R$+ < @ $=w . >		$: $2 :: $1
R$=w :: $+		$2
R$+ :: $+		$@ $1 :: $2

# mail11_from: the same; a sender at this node keeps its node name
Smail11_from
R$+			$: $>mail11_to $1
R$w :: $+		$@ $w :: $1

Mmail11,	P=MAIL11_MAILER_PATH, F=MAIL11_MAILER_FLAGS, S=mail11_from, R=mail11_to,
		`T=DNS/X-DECnet/X-Unix'_CF_MF_SET(`MAIL11_MAILER_QGRP', `Q'),
		A=MAIL11_MAILER_ARGS
divert(22)dnl
# DECnet node::user and a.b::user
R$- :: $+		$@ $>canon_host $2 < @ $1 . DECNET >
R$- . $- :: $+		$@ $>canon_host $3 < @ $1 . $2 . DECNET >
divert(23)dnl
# DECnet addresses in node::user form
R$+ @ $+ . DECNET	$2 :: $1
divert(4)dnl
# DECnet: this host, or a node for mail11
R$* < @ $=w . DECNET . >	$`#'local $: $1
R$+ < @ $+ . DECNET . >	$`#'mail11 $@ $2 $: $1
divert(-1)
