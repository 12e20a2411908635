divert(-1)
#
#  canon_focus.m4 -- the focusing part of canonify, read twice by rules.m4:
#  for an address that came between angle brackets (_CF_CANON_B_ defined:
#  a group name in the local part goes) and for one that did not (its group
#  name, up to the first colon, is gone already).
#
divert(0)dnl
# groups: an empty one is the list:; form; a trailing ; goes
R$* : ;			$@ :; <@>
R;			$@ :; <@>
R$* ;			$1
# focus on the last @ that has a host after it
R$* @ $+		$: $1 < @ $2 >
R$* < @ $* @ $+ >	$1 @ $2 < @ $3 >
# source routes are obsolete (RFC 5321 4.1.1.3), and a group name goes
R@ $+ , $+ < @ $* >	$2 < @ $3 >
R@ $+ : $+ < @ $* >	$2 < @ $3 >
ifdef(`_CF_CANON_B_', `R$* : $* < @ $* >	$: $2 < @ $3 >
')dnl
R$* < @ $* >		$@ $>canon_host $1 < @ $2 >
R$*			$: $>canon_mailer $1
ifdef(`_CF_UUCP_', `# no @: UUCP addresses, host!user and domain-style host.domain!user, come
# before the %-hack; the first bang after a plain host name wins, else the
# last one after a domain
R$- ! $+		$@ $>canon_host $2 < @ $1 . UUCP >
R$+ . $- ! $+		$@ $>canon_host $3 < @ $1 . $2 >
R[ $+ ] ! $+		$@ $>canon_host $2 < @ [ $1 ] . UUCP >
R$+ ! $+		$@ $>canon_host $2 < @ $1 . UUCP >
')dnl
# no @: the %-hack names a host (the rightmost % wins)
R$* % $*		$: $1 < @ $2 >
R$* < @ $* % $* >	$1 % $2 < @ $3 >
R$* < @ $* >		$@ $>canon_host $1 < @ $2 >
# an @ with nothing after it
R$* @			$@ $1 < @ >

