divert(-1)
#
#  rules.m4 -- the rulesets, written at generation time (see generate.m4).
#
#  Conventions of these rules: a focused address is "user < @ host >", with a
#  trailing dot in host once the host is canonical; "< @ >" alone is the null
#  address.  Helper rulesets are lower case with an underscore, so that they
#  cannot collide with the documented hook names (Local_check_rcpt, ...).
#
divert(0)dnl
######################################################################
#
#   canonify (ruleset 3): bring an address into focused form
#
######################################################################
Scanonify=3
# the null address
R$@			$@ <@>
# with angle brackets: trailing semicolons go, <list:;> is a group
R$* < $* > $* ;		$1 < $2 > $3
R$* < $+ : ; > $*	$@ $2 :; <@>
R$* < $* ; >		$1 < $2 >
# the phrase goes: in "< address >", excess is stripped on the left up
# to the last "<" that has a ">" at the end, then on the right after the
# first ">"
R$* < $* > $*		$: < $1 < $2 > $3 >
R$+ < $* >		< $2 >
R< $* > $+		< $1 >
R<>			$@ <@>
R< $+ >			$@ $>canon_focus $1
# without angle brackets a group name goes, up to the first colon; not
# the colons of an IPv6 literal at the end, of :: (DECnet, or a literal
# elsewhere) or of :include:, unless a colon comes before a final literal
# or the address is a source route; the final literal's tag is spelt IPv6
R$* : ;			$@ :; <@>
R$*			$: $>canon_mailer $1
R$* < @ $* > $*		$@ $1 < @ $2 > $3
R$* : $* [ $* ]		$@ $>canon_focus $2 [ $3 ]
R@ $+ , $+		$2
R@ [ $* ] : $+		$@ $>canon_focus $2
R@ $+ : $+		$@ $>canon_focus $2
R@ $*			$@ $>canon_focus @ $1
R$* [ $={IPv6Tag} : $+ ]	$@ $>canon_focus $1 [ IPv6 : $3 ]
R$* : : $*		$@ $>canon_focus $1 : : $2
R: include : $*		$@ $>canon_focus : include : $1
R$* : $*		$: $2
R$@			$@ :; <@>
R$*			$@ $>canon_focus $1

######################################################################
#   canon_focus: focus on the host part of an address (between angle
#   brackets or not, its group name is gone already)
######################################################################
Scanon_focus
R$@			$@ <@>
# groups: an empty one is the list:; form; a trailing ; goes
R$* : ;			$@ :; <@>
R;			$@ :; <@>
R$* ;			$1
# source routes are obsolete (RFC 5321 4.1.1.3): up to the first colon
R@ $+ , $+		$2
R@ $+ : $+		$2
# focus on the last @ that has a local part before it and a host after it
R$+ @ $+		$: $1 < @ $2 >
R$* < @ $* @ $+ >	$1 @ $2 < @ $3 >
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
ifdef(`_CF_NOPERCENT_', `', `# no @ to focus on: the %-hack; the last of the % and @ signs names the
# host, the others become %
R$* % $*		$1 @ $2
R$* @ $* @ $*		$1 % $2 @ $3
')dnl
R$* < @ $* >		$@ $>canon_host $1 < @ $2 >
# an @ that is left: nothing before it, or nothing after it
R$* @ $*		$@ $>canon_host $1 < @ $2 >


# canon_mailer: the canonify rules of the mailers (DECnet node::user ...)
Scanon_mailer
undivert(22)dnl

######################################################################
#   canon_host: make the host of a focused address canonical
######################################################################
Scanon_host
undivert(3)dnl
R$* < @ > $*		$@ $1 < @ > $2
R$* < @ $+ . . > $*	$1 < @ $2 . > $3
ifdef(`_CF_FEATURE_domaintable_', `# old domain names become new ones
R$* < @ $+ . > $*	$@ $1 < @ $2 . > $3
R$* < @ $+ > $*		$: $1 < @ $(domaintable $2 $) > $3
')dnl
ifdef(`_CF_FEATURE_vnet_', `# VNET hosts (not address literals: a literal of this host is done below)
R$* < @ $~[ $* > $*	$: $>vnet_canon $1 < @ $2 $3 > $4
')dnl
ifdef(`_CF_FEATURE_bitdomain_', `# BITNET hosts that the bitdomain map knows get their Internet domain
R$* < @ $+ . BITNET > $*	$: $1 < @ $(bitdomain $2 $: $2 . BITNET $) > $3
')dnl
ifdef(`_CF_FEATURE_uucpdomain_', `# UUCP hosts that the uudomain map knows get their Internet domain
R$* < @ $+ . UUCP > $*	$: $1 < @ $(uudomain $2 $: $2 . UUCP $) > $3
')dnl
R$* < @ $+ . > $*	$@ $1 < @ $2 . > $3
# address literals: this host, or left alone
R$* < @ [ $+ ] > $*	$: $1 < @ [ $2 ] > $3 <IP>
R$* < @ $=w > $* <IP>	$@ ifdef(`_CF_FEATURE_vnet_', `$>vnet_canon ')$1 < @ $j . > $3
R$* <IP>		$@ $1
ifdef(`_CF_UUCP_', `ifdef(`_CF_FEATURE_nocanonify_', `', `# a UUCP host that the host map knows gets its real name
R$* < @ $+ . UUCP > $*	$: $1 < @ $[ $2 $] . UUCP . > $3
R$* < @ $+ . . UUCP . > $*	$@ $1 < @ $2 . > $3
R$* < @ $+ . > $*	$@ $1 < @ $2 . > $3
')')dnl
ifdef(`_CF_UUCP_', `# .UUCP is canonical as it stands, though it is no pseudo domain for check_mail
R$* < @ $* UUCP > $*	$@ $1 < @ $2 UUCP . > $3
')dnl
R$* < @ $* $=P > $*	$@ $1 < @ $2 $3 . > $4
ifdef(`_CF_FEATURE_nocanonify_', `# host names are taken as they are, unless listed for canonification
ifdef(`_CF_CLASS_Canonify_', `define(`_CF_CANON_LIST_')')ifdef(`_CF_FILES_Canonify_', `define(`_CF_CANON_LIST_')')dnl
ifdef(`_CF_CANON_LIST_', `R$* < @ $* $={Canonify} > $*	$: $1 < @ $[ $2 $3 $] > $4
R$* < @ $+ . > $*	$@ $1 < @ $2 . > $3
')dnl
R$* < @ localhost > $*	$@ $1 < @ $j . > $2
R$* < @ localhost . $m > $*	$@ $1 < @ $j . > $2
R$* < @ $+ > $*		$: $1 < @ $2 > $3 <> $&{daemon_flags}
R$* < @ $+ > $* <> $* C $*	$: $1 < @ $[ $2 $] > $3
R$* < @ $+ > $* <> $*	$: $1 < @ $2 > $3
ifdef(`_CF_CANONIFY_HOSTS_', `R$* < @ $- > $*		$: $1 < @ $[ $2 $] > $3
R$* < @ $+ . > $*	$@ $1 < @ $2 . > $3
')dnl
R$* < @ $=w > $*	$@ $1 < @ $2 . > $3
ifdef(`_CF_CANON_LIST_', `# a listed domain that the lookup could not resolve stays as it is
R$* < @ $* $={Canonify} > $*	$@ $1 < @ $2 $3 > $4
')dnl
R$* < @ $+ . $+ > $*	$@ $1 < @ $2 . $3 . > $4
', `# ask the host map (DNS or /etc/hosts) for the canonical name
R$* < @ $+ > $*		$: $1 < @ $[ $2 $] > $3
')dnl
# names this host answers to are canonical even when the lookup failed
R$* < @ $+ . > $*	$@ $1 < @ $2 . > $3
R$* < @ $=w > $*	$@ $1 < @ $2 . > $3
ifdef(`_CF_FEATURE_virtusertable_', `R$* < @ $={VirtHost} > $*	$@ $1 < @ $2 . > $3
ifdef(`_CF_FEATURE_virtuser_entire_domain_', `R$* < @ $* . $={VirtHost} > $*	$@ $1 < @ $2 . $3 . > $4
')')dnl
ifdef(`_CF_MASQUERADE_AS_', `R$* < @ $=M > $*	$@ $1 < @ $2 . > $3
ifdef(`_CF_FEATURE_masquerade_entire_domain_', `R$* < @ $* . $=M > $*	$@ $1 < @ $2 . $3 . > $4
')')dnl

######################################################################
#
#   final (ruleset 4): back from focused form to text
#
######################################################################
Sfinal=4
R$* <@>			$@
R$+ :; <@>		$@ $1 :
R$* < @ $+ . > $*	$1 < @ $2 > $3
R$* < @ *LOCAL* > $*	$1 < @ $j > $2
R$* < $+ > $*		$1 $2 $3
ifdef(`_CF_UUCP_', `R$+ @ $- . UUCP	$2 ! $1
')dnl
undivert(23)dnl
R@ $+ : @ $+ : $+	@ $1 , @ $2 : $3
# user%ourname@ourname says no more than user@ourname
R$+ % $=w @ $=w		$1 @ $2

######################################################################
#
#   parse (ruleset 0): choose mailer, host and user
#
######################################################################
Sparse=0
R$*			$: $>parse_check $1
R$#$*			$@ $#$1
R<@>			$# confLOCAL_MAILER $: <@>
# a route through this host: forget this host
R< @ $=w . > : $*	$@ $>parse $2
R$*			$: $>parse_local $1
R$#$*			$@ $#$1
ifdef(`_CF_FEATURE_virtusertable_', `# virtual users
R$+ < @ $* > $*		$: $>virtuser $1 < @ $2 > $3
R$#$*			$@ $#$1
')dnl
ifdef(`_CF_FEATURE_ldap_routing_', `# LDAP routing of the LDAPROUTE_DOMAIN domains
R$+ < @ $={LDAPRoute} . > $*	$: $>ldap_route $1 < @ $2 . > $3
R$#$*			$@ $#$1
')dnl
undivert(21)dnl
# this host: what remains of the local part decides
ifdef(`_CF_FEATURE_stickyhost_', `ifdef(`MAIL_HUB', `R$+ < @ $=w . >		$# _CF_MAILER_OF(MAIL_HUB, confRELAY_MAILER) $@ _CF_HOST_OF(MAIL_HUB) $: $1 < @ $2 . >
', `R$+ + $* < @ $=w . >	$@ $>local_part $1 + $2
R$+ < @ $=w . >		$# confLOCAL_MAILER $: @ $1
')')dnl
R$* < @ $=w . >		$@ $>local_part $1
ifdef(`_CF_FEATURE_redirect_', `# moved users
R$* < @ $+ . REDIRECT . >	$# error $@ 5.1.1 $: "551 User has moved; please try " < $1 @ $2 >
R$* < @ $+ . REDIRECT >	$# error $@ 5.1.1 $: "551 User has moved; please try " < $1 @ $2 >
')dnl
ifdef(`_CF_FEATURE_mailertable_', `# routes of the mailertable
R$* < @ $+ > $*		$: $>mt_route $1 < @ $2 > $3
R$#$*			$@ $#$1
')dnl
undivert(11)dnl
undivert(5)dnl
ifdef(`SMART_HOST', `# everything else, address literals included, goes to the smart host
R$* < @ [ $+ ] > $*	$# _CF_MAILER_OF(SMART_HOST, confSMTP_MAILER) $@ _CF_HOST_OF(SMART_HOST) $: $1 < @ [ $2 ] > $3
R$* < @ $* > $*		$# _CF_MAILER_OF(SMART_HOST, confRELAY_MAILER) $@ _CF_HOST_OF(SMART_HOST) $: $1 < @ $2 > $3
')dnl
R$* < @ [ $+ ] > $*	$# confSMTP_MAILER $@ [ $2 ] $: $1 < @ [ $2 ] > $3
R$* < @ $* > $*		$# confSMTP_MAILER $@ $2 $: $1 < @ $2 > $3
# no host left: a local user
R$+			$@ $>local_part $1

######################################################################
#   parse_check: addresses that cannot be delivered anywhere
######################################################################
ifdef(`_CF_PREFIX_MOD_', `define(`_CF_PC_', `parse_check_body')dnl
Sparse_check
R$*			$: $>parse_check_body $1
# the prefix of prefixmod goes, and sets the recipient flags
R`'_CF_PREFIX_MOD_ $+	$: $1 $(macro {rcpt_flags} $@ _CF_PREFIX_FLAGS_ $)

', `define(`_CF_PC_', `parse_check')')dnl
S`'_CF_PC_
R<@>			$@ <@>
R$* : ; <@>		$#error $@ 5.1.3 $: "553 List:; syntax illegal for recipient addresses"
R< @ $+ >		$#error $@ 5.1.3 $: "553 User address required"
# a colon between angle brackets is an error, unless an address literal
# comes before it ([host1]:[host2]); a literal must end the host part
R$*			$: <C> $1
R<C> $* < @ [ $* ] : $+ > $*	$1 < @ [ $2 ] : $3 > $4
R<C> $* < @ [ $* ] , $+ > $*	$1 < @ [ $2 ] , $3 > $4
R<C> $* < @ [ $* ] $+ > $*	$#error $@ 5.1.2 $: "553 Invalid address"
R<C> $* < @ [ $+ ] > $*	$1 < @ [ $2 ] > $3
R<C> $* < $* : $* > $*	$#error $@ 5.1.3 $: "553 Colon illegal in host name part"
R<C> $*			$1
R$* < @ . $* > $*	$#error $@ 5.1.2 $: "553 Invalid host name"
R$* < @ $* . . $* > $*	$#error $@ 5.1.2 $: "553 Invalid host name"
R$* < @ $* @ > $*	$#error $@ 5.1.2 $: "553 Invalid route address"
R$* @ $* < @ $* > $*	$#error $@ 5.1.3 $: "553 Invalid route address"
R$+ < @ >		$#error $@ 5.1.3 $: "553 Hostname required"
R$* , $~O $*		$#error $@ 5.1.3 $: "553 Invalid route address"
# a one-token local part is dequoted ("user"@here); a local part with
# its own routing (user%host, host!user, "user@host"), for this host or
# without a host, is parsed again
R$- < @ $=w . >		$: $(dequote $1 $) < @ $2 . >
R$* $=O $* < @ $=w . >	$@ $>`'_CF_PC_ $>canonify $1 $2 $3
R$* < @ $* > $*		$@ $1 < @ $2 > $3
R$-			$: $(dequote $1 $) < @ *LOCAL* >
R< @ *LOCAL* >		$#error $@ 5.1.3 $: "553 User address required"
R$* $=O $* < @ *LOCAL* >	$@ $>`'_CF_PC_ $>canonify $1 $2 $3
R$* < @ *LOCAL* >	$: $1

ifdef(`_CF_FEATURE_ldap_routing_', `######################################################################
#   ldap_route: mailRoutingAddress, then mailHost, for user@domain and
#   (unless nodomain) @domain
######################################################################
Sldap_route
ifelse(defn(`_CF_LDAP_DETAIL_'), `strip', `R$+ + $* < @ $+ > $*	$: $1 < @ $3 > $4
')dnl
R$+ < @ $+ . > $*	$: $1 < @ $2 > $3
R$+ < @ $+ > $*		$: $1 < @ $2 > $3 $| $(ldapmra $1 @ $2 $: <NF> $)
R$+ < @ $+ > $* $| $* <TMPF>	$: $1 < @ $2 > $3 $| <TMPF>
R$+ < @ $+ > $* $| <NF>	$: $1 < @ $2 > $3 $| $(ldapmh $1 @ $2 $: <NF> $) <MH>
R$+ < @ $+ > $* $| <TMPF>	$: $1 < @ $2 > $3 $| $(ldapmh $1 @ $2 $: <NF> $) <MH>
R$+ < @ $+ > $* $| $* <TMPF> <MH>	ifdef(`_CF_LDAP_TEMPFAIL_', `$# error $@ 4.0.0 $: "451 Temporary system failure. Please try again later."', `$@ $1 < @ $2 . > $3')
ifdef(`_CF_LDAP_NODOMAIN_', `', `R$+ < @ $+ > $* $| <NF> <MH>	$: $1 < @ $2 > $3 $| $(ldapmra @ $2 $: <NF> $)
R$+ < @ $+ > $* $| <NF>	$: $1 < @ $2 > $3 $| $(ldapmh @ $2 $: <NF> $) <MH>
')dnl
ifdef(`_CF_LDAP_BOUNCE_', `R$* $| <NF> <MH>		$# error $@ 5.1.1 $: "550 User unknown"
')dnl
R$+ < @ $+ > $* $| <NF> <MH>	$@ $1 < @ $2 . > $3
R$+ < @ $+ > $* $| $* <TMPF> $*	$@ $1 < @ $2 . > $3
R$+ < @ $+ > $* $| $+ <MH>	$: $1 < @ $2 > $3 $| $4 <MH> $| $4
R$+ < @ $+ > $* $| $+ <MH> $| $=w	$@ $1 < @ $2 . > $3
R$+ < @ $+ > $* $| $+ <MH> $| $*	$# confSMTP_MAILER $@ $4 $: $1 < @ $2 > $3
R$* $| $+		$@ $>parse $>canonify $2

')dnl
######################################################################
#   parse_local: the local rules for ruleset 0 of the .mc
######################################################################
Sparse_local
undivert(4)dnl

######################################################################
#   local_part: the local part of an address for this host
######################################################################
Slocal_part
ifdef(`_CF_CLASS_L_', `define(`_CF_HAVE_L_')')ifdef(`_CF_FILES_L_', `define(`_CF_HAVE_L_')')dnl
ifdef(`_CF_HAVE_L_', `R$=L			$# confLOCAL_MAILER $: @ $1
')dnl
R$+			$# confLOCAL_MAILER $: $1

ifdef(`_CF_FEATURE_mailertable_', `######################################################################
#   mt_route: route "user < @ host > rest" through the mailertable
######################################################################
Smt_route
R$* < @ [ $* ] > $*	$@ $1 < @ [ $2 ] > $3
R$* < @ $+ . > $*	$: $>mt_result $>mt_find $2 <> $1 < @ $2 . > $3
R$* < @ $+ > $*		$: $>mt_result $>mt_find $2 <> $1 < @ $2 > $3

# mt_find: "key <> address" -> "address $| value" or "address $| <NF>";
# a host is tried whole, then as .parent domains, then as "."
Smt_find
R$+ <> $*		$: $2 $| $1 $| $(mailertable $1 $: <NF> $)
R$* $| . $| <NF>	$@ $1 $| <NF>
R$* $| . $- . $+ $| <NF>	$@ $>mt_find . $3 <> $1
R$* $| . $+ $| <NF>	$@ $>mt_find . <> $1
R$* $| $- . $+ $| <NF>	$@ $>mt_find . $3 <> $1
R$* $| $+ $| <NF>	$@ $>mt_find . <> $1
R$* $| $* $| $*		$@ $1 $| $3

# mt_result: what a mailertable value means
Smt_result
R$* $| <NF>		$@ $1
R$* $| error : $-.$-.$- : $*	$# error $@ $2.$3.$4 $: $5
R$* $| error : $+	$# error $: $2
# a routed local part (user%host, host!user) is routed again, as if it had
# come without the local host
R$+ $=O $+ < @ $+ > $* $| local : $*	$@ $>parse $>canonify $1 $2 $3
R$* < @ $+ . > $* $| local :	$# local $@ $1 @ $2 $: $1
R$* < @ $+ > $* $| local :	$# local $@ $1 @ $2 $: $1
R$* < @ $+ . > $* $| local : $+	$# local $@ $1 @ $2 $: $4
R$* < @ $+ > $* $| local : $+	$# local $@ $1 @ $2 $: $4
# like Sendmail, an empty host leaves the address in pieces rather than
# guessing one
R$* < @ $+ > $* $| $- :	$# $4 $@ > $1 < @ $2 $: $3
R$* $| $- : $+		$# $2 $@ $3 $: $1
R$* $| $*		$@ $1
')dnl

ifdef(`_CF_FEATURE_virtusertable_', `######################################################################
#   virtuser: virtual addresses of the virtusertable, for local and
#   virtual domain hosts: user+detail@host, user+*@host, user@host, +*@host, @host
######################################################################
Svirtuser
R$+ < @ $* $~. > $*	$@ $1 < @ $2 $3 > $4
R$+ < @ $+ . > $*	$: < $2 > $1 < @ $2 . > $3
R< $=w > $*		$: VHOST < $1 > $2
R< $={VirtHost} > $*	$: VHOST < $1 > $2
ifdef(`_CF_FEATURE_virtuser_entire_domain_', `R< $* . $={VirtHost} > $*	$: VHOST < $1 . $2 > $3
')dnl
R< $+ > $*		$@ $2
# user+detail: user+detail@host, user+*@host, user@host, +detail@host, +*@host, @host
RVHOST < $+ > $+ + $* < @ $* > $*	$: < $1 > $2 + $3 < @ $4 > $5 $| $(virtuser $2 + $3 @ $1 $@ $2 $@ $3 $@ + $3 $: <NF> $)
R< $+ > $+ + $* < @ $* > $* $| <NF>	$: < $1 > $2 + $3 < @ $4 > $5 $| $(virtuser $2 + * @ $1 $@ $2 $@ $3 $@ + $3 $: <NF> $)
R< $+ > $+ + $* < @ $* > $* $| <NF>	$: < $1 > $2 + $3 < @ $4 > $5 $| $(virtuser $2 @ $1 $@ $2 $@ $3 $@ + $3 $: <NF> $)
R< $+ > $+ + $* < @ $* > $* $| <NF>	$: < $1 > $2 + $3 < @ $4 > $5 $| $(virtuser + * @ $1 $@ $2 $@ $3 $@ + $3 $: <NF> $)
R< $+ > $+ + $* < @ $* > $* $| <NF>	$: < $1 > $2 + $3 < @ $4 > $5 $| $(virtuser @ $1 $@ $2 $@ $3 $@ + $3 $: <NF> $)
# plain user: user@host, then @host
RVHOST < $+ > $+ < @ $* > $*	$: < $1 > $2 < @ $3 > $4 $| $(virtuser $2 @ $1 $@ $2 $: <NF> $)
R< $+ > $+ < @ $* > $* $| <NF>	$: < $1 > $2 < @ $3 > $4 $| $(virtuser @ $1 $@ $2 $: <NF> $)
R< $+ > $* $| <NF>	$@ $2
R$* $| error : $-.$-.$- : $*	$# error $@ $2.$3.$4 $: $5
R$* $| error : $- $*	$# error $@ $(dequote $2 $) $: $3
R$* $| $* @ $+		$@ $>parse $>canonify $2 @ $3
R$* $| $+		$# confLOCAL_MAILER $: $2
')dnl

######################################################################
#
#   sender (ruleset 1) and recipient (ruleset 2): every address of
#   that kind, before the mailer's own rulesets
#
######################################################################
S1
undivert(1)dnl

S2
undivert(2)dnl

######################################################################
#
#   localaddr (ruleset 5): local recipients after alias expansion
#
######################################################################
SLocal_localaddr
Slocaladdr=5
R$+			$: $1 $| $>Local_localaddr $1
R$+ $| $#$*		$#$2
R$+ $| $*		$: $1
ifdef(`_CF_MSP_', `# a submission program hands every local recipient to the MTA, the
# address canonified first (the host focused, without its final dot)
R$+			$: $>parse_check $>canonify $1
R$* < @ $* . >		$1 < @ $2 >
R$- < @ $* >		$: $(dequote $1 $) < @ $2 >
R$* < @ $+ > $*		$# relay $@ ${MTAHost} $: $1 < @ $2 > $3
R$*			$# relay $@ ${MTAHost} $: $1 < @ $j >
')dnl
# user+detail: the aliases are asked for user+* (and then user)
R$+ + $*		$# confLOCAL_MAILER $@ + $2 $: $1 + *
ifdef(`LUSER_RELAY', `# users without an account go to the luser relay
R$+			$: $1 $| $(user $1 $: <NF> $)
R$+ $| <NF>		$: $1
R$+ $| $*		$@ $1
ifelse(_CF_MAILER_OF(LUSER_RELAY, `'), `local', `R$+			$# confLOCAL_MAILER $@ $1 $: _CF_HOST_OF(LUSER_RELAY)
', `R$+			$# _CF_MAILER_OF(LUSER_RELAY, confRELAY_MAILER) $@ _CF_HOST_OF(LUSER_RELAY) $: $1 < @ _CF_HOST_OF(LUSER_RELAY) >
')')dnl
ifdef(`MAIL_HUB', `# everybody lives on the mail hub
R$+			$# _CF_MAILER_OF(MAIL_HUB, confRELAY_MAILER) $@ _CF_HOST_OF(MAIL_HUB) $: $1 < @ _CF_HOST_OF(MAIL_HUB) >
')dnl

######################################################################
#   qualify: an unqualified address gets the marker host *LOCAL*
######################################################################
Squalify
R<@>			$@ <@>
R$* < @ $* > $*		$@ $1 < @ $2 > $3
R@ $*			$@ @ $1
R$+			$@ $1 < @ *LOCAL* >

######################################################################
#   add_domain: qualify local addresses with this host (always_add_domain)
######################################################################
Sadd_domain
R<@>			$@ <@>
R$* < @ $* > $*		$@ $1 < @ $2 > $3
R$+			$@ $1 < @ ifdef(`_CF_ADD_DOMAIN_', `_CF_ADD_DOMAIN_', `*LOCAL*') >

######################################################################
#   masq_hdr, masq_env: masquerading (the DM macro) and the genericstable
######################################################################
Smasq_hdr
R<@>			$@ <@>
ifdef(`_CF_FEATURE_genericstable_', `R$+ < @ $* > $*		$: $>generics $1 < @ $2 > $3
')dnl
ifdef(`_CF_MASQUERADE_AS_', `# a host with an @ in it (canonify leaves user@host@ so) loses a trailing
# @, and keeps only what follows an inner one
R$* < @ $+ @ > $*	$: $1 < @ $2 > $3
R$* < @ $+ @ $+ > $*	$@ $1 < @ $3 . > $4
R$=E < @ *LOCAL* > $*	$@ $1 < @ $j . > $2
R$=E < @ $* > $*	$@ $1 < @ $2 > $3
R$* < @ $={MasqueradeException} . > $*	$@ $1 < @ $2 . > $3
ifdef(`_CF_FEATURE_limited_masquerade_', `', `R$* < @ $=w . > $*	$@ $1 < @ $M . > $3
')dnl
R$* < @ $=M . > $*	$@ $1 < @ $M . > $3
ifdef(`_CF_FEATURE_masquerade_entire_domain_', `R$* < @ $* . $=M . > $*	$@ $1 < @ $M . > $4
')dnl
R$* < @ *LOCAL* > $*	$@ $1 < @ $M . > $2
')dnl
R$* < @ *LOCAL* > $*	$@ $1 < @ $j . > $2

Smasq_env
R<@>			$@ <@>
R$*			$@ $>masq_hdr $1

ifdef(`_CF_FEATURE_genericstable_', `######################################################################
#   generics: sender addresses of class G hosts (or unqualified) through
#   the genericstable: user@host first, then user
######################################################################
Sgenerics
R$+ < @ $* > $*		$: <?> $1 < @ $2 > $3
R<?> $+ < @ $=G . > $*	$: <G> $1 < @ $2 . > $3 $| $1 @ $2
ifdef(`_CF_FEATURE_generics_entire_domain_', `R<?> $+ < @ $* . $=G . > $*	$: <G> $1 < @ $2 . $3 . > $4 $| $1 @ $2 . $3
')dnl
R<?> $+ < @ *LOCAL* > $*	$: <G> $1 < @ *LOCAL* > $2 $| $1 @ $j
R<?> $*			$@ $1
R<G> $+ < @ $* > $* $| $+	$: <G> $1 < @ $2 > $3 $| $(generics $4 $: <NF> $)
R<G> $+ < @ $* > $* $| <NF>	$: <G> $1 < @ $2 > $3 $| $(generics $1 $: <NF> $)
R<G> $+ < @ $+ . > $* $| <NF>	$: <G> $1 < @ $2 . > $3 $| $(generics @ $2 $: <NF> $)
R<G> $* $| <NF>		$@ $1
R<G> $* $| $+ @ $+	$@ $>canonify $2 @ $3
R<G> $+ < @ $* > $* $| $+	$@ $4 < @ $2 > $3
')dnl

include(_CF_DIR_`m4/checks.m4')dnl
