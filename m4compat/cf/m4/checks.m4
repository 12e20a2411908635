divert(-1)
#
#  checks.m4 -- the check_* rulesets that the SMTP server runs: check_relay
#  (connection), check_mail (MAIL FROM), check_rcpt (RCPT TO), and the
#  helpers they share: access map lookups and the relay decision.
#
#  A verdict is a $#error, $#discard or $#quarantine triple; any other
#  result lets the command through.
#
ifdef(`_CF_FEATURE_access_db_', `define(`_CF_ACCESS_', `1')')
divert(0)dnl
######################################################################
#
#   Access map helpers
#
######################################################################
ifdef(`_CF_ACCESS_', `# acc_value: "< value > rest" -> verdict for the common access values
Sacc_value
R< REJECT > $*		$# error $@ 5.7.1 $: "550 Access denied"
R< DISCARD > $*		$# discard $: discard
R< QUARANTINE : $+ > $*	$# error $@ quarantine $: $1
R< ERROR : $-.$-.$- : $+ > $*	$# error $@ $1.$2.$3 $: $4
R< ERROR : $+ > $*	$# error $: $1
R< <TMPF> > $*		$# error $@ 4.3.0 $: "451 Temporary system failure. Please try again later."
R< OK > $*		$@ < OK > $1
R< RELAY > $*		$@ < RELAY > $1
R< $+ > $*		$# error $: $1

# acc_dom: "< Tag > host" -> "< value >" or "<?>": Tag:host, then host
# without a tag, then the same for each parent domain
Sacc_dom
R< $- > $+ .		$: < $1 > $2
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+	$: < $(access $2 $: <?> $) > < $1 > $2
ifdef(`_CF_FEATURE_lookupdotdomain_', `R< <?> > < $- > $+ . $+	$: < $(access $1:.$3 $: <?> $) > < $1 > $2 . $3
R< <?> > < $- > $+ . $+	$: < $(access .$3 $: <?> $) > < $1 > $2 . $3
')dnl
# an address literal loses its last part, a host name its first label
R< <?> > < $- > [ $+ . $- ]	$@ $>acc_dom < $1 > [ $2 ]
R< <?> > < $- > [ $+ : : $- ]	$@ $>acc_dom < $1 > [ $2 ]
R< <?> > < $- > [ $+ : $- ]	$@ $>acc_dom < $1 > [ $2 ]
R< <?> > < $- > $+ . $+	$@ $>acc_dom < $1 > $3
R< <?> > $*		$@ <?>
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > $*		$@ <?>
')dnl
R< $* > $*		$@ < $1 >

# acc_ip: "< Tag > a.b.c.d" -> "< value >" or "<?>": the address, then
# shorter and shorter prefixes, each with Tag: and without
Sacc_ip
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+	$: < $(access $2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+ . $-	$@ $>acc_ip < $1 > $2
R< <?> > < $- > $+ : $-	$@ $>acc_ip < $1 > $2
R< <?> > < $- > $+ :	$@ $>acc_ip < $1 > $2
R< <?> > $*		$@ <?>
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > $*		$@ <?>
')dnl
R< $* > $*		$@ < $1 >

# acc_host: "< Tag > host" -> "< value >" or "<?>": Tag:host, then host
# (no parent domains: relay_hosts_only)
Sacc_host
R< $- > $+ .		$: < $1 > $2
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+	$: < $(access $2 $: <?> $) > < $1 > $2
R< <?> > $*		$@ <?>
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > $*		$@ <?>
')dnl
R< $* > $*		$@ < $1 >

# acc_domtag, acc_iptag: like acc_dom and acc_ip, but only Tag: keys, and
# at the end the bare "Tag:" key (the default of that tag)
Sacc_domtag
R< $- > $+ .		$: < $1 > $2
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
ifdef(`_CF_FEATURE_lookupdotdomain_', `R< <?> > < $- > $+ . $+	$: < $(access $1:.$3 $: <?> $) > < $1 > $2 . $3
')dnl
# an address literal loses its last part, a host name its first label
R< <?> > < $- > [ $+ . $- ]	$@ $>acc_domtag < $1 > [ $2 ]
R< <?> > < $- > [ $+ : : $- ]	$@ $>acc_domtag < $1 > [ $2 ]
R< <?> > < $- > [ $+ : $- ]	$@ $>acc_domtag < $1 > [ $2 ]
R< <?> > < $- > $+ . $+	$@ $>acc_domtag < $1 > $3
R< <?> > $*		$@ <?>
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > $*		$@ <?>
')dnl
R< $* > $*		$@ < $1 >

Sacc_iptag
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+ . $-	$@ $>acc_iptag < $1 > $2
R< <?> > < $- > $+ : $-	$@ $>acc_iptag < $1 > $2
R< <?> > < $- > $*	$: < $(access $1: $: <?> $) >
R< <?> >		$@ <?>
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > $*		$@ <?>
')dnl
R< $* > $*		$@ < $1 >

# acc_key: "< Tag > user@host" or "< Tag > user@" -> "< value >" or "<?>":
# the key as it is, then with its +detail as +*, then without the detail;
# each Tag: first and then untagged.  acc_keyt: the same, Tag: keys only
Sacc_key
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+	$: < $(access $2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+ + $* @ $*	$: < $(access $1:$2+*@$4 $: <?> $) > < $1 > $2 + $3 @ $4
R< <?> > < $- > $+ + $* @ $*	$: < $(access $2+*@$4 $: <?> $) > < $1 > $2 + $3 @ $4
R< <?> > < $- > $+ + $* @ $*	$: < $(access $1:$2@$4 $: <?> $) > < $1 > $2 + $3 @ $4
R< <?> > < $- > $+ + $* @ $*	$: < $(access $2@$4 $: <?> $) > < $1 > $2 + $3 @ $4
R< <?> > $*		$@ <?>
R< $* > $*		$@ < $1 >

Sacc_keyt
R< $- > $+		$: < $(access $1:$2 $: <?> $) > < $1 > $2
R< <?> > < $- > $+ + $* @ $*	$: < $(access $1:$2+*@$4 $: <?> $) > < $1 > $2 + $3 @ $4
R< <?> > < $- > $+ + $* @ $*	$: < $(access $1:$2@$4 $: <?> $) > < $1 > $2 + $3 @ $4
R< <?> > $*		$@ <?>
R< $* > $*		$@ < $1 >

# acc_addr: "< Tag > user < @ host >" -> "< value >" or "<?>": the whole
# address, then user@, then the domain and its parents
Sacc_addr
R< $- > $+ < @ $+ . >	$: < $1 > $2 < @ $3 >
R< $- > $+ < @ $+ >	$: < $1 > $2 < @ $3 > $| $>acc_key < $1 > $2 @ $3
R< $- > $+ < @ $+ > $| <?>	$: < $1 > $2 < @ $3 > $| $>acc_key < $1 > $2 @
R< $- > $+ < @ $+ > $| <?>	$@ $>acc_dom < $1 > $3
ifdef(`_CF_ACCESS_SKIP_', `R$* $| < SKIP >		$@ <?>
')dnl
R$* $| $*		$@ $2

# acc_rcpt: like acc_addr for recipients: user@ only for the names of this
# host, and before the domain
Sacc_rcpt
R< $- > $+ < @ $+ . >	$: < $1 > $2 < @ $3 >
R< $- > $+ < @ $+ >	$: < $1 > $2 < @ $3 > $| $>acc_key < $1 > $2 @ $3
R< $- > $+ < @ $=w > $| <?>	$: < $1 > $2 < @ $3 > $| $>acc_key < $1 > $2 @
R< $- > $+ < @ $+ > $| <?>	$@ $>acc_dom < $1 > $3
ifdef(`_CF_ACCESS_SKIP_', `R$* $| < SKIP >		$@ <?>
')dnl
R$* $| $*		$@ $2

ifdef(`_CF_ACC_LIST_', `# acc_list: "< mode Tag > $| < mark : key > < mark : key > ... < >" ->
# "< value >" of the first key the access map knows, or "<?>".  The mode
# is ! (Tag:key only) or + (Tag:key, then key); the mark says what the key
# is: F an address (acc_full), D a domain (acc_domain), E a key taken as it
# is (acc_exact)
Sacc_list
R< $- $- > $| < $- : $* > < $* >	$: < $1 $2 > $| < $5 > $| $>acc_mark $3 < $1 $2 > < $4 >
R< $- $- > $| < > $| <?>	$@ <?>
R< $- $- > $| < $+ > $| <?>	$@ $>acc_list < $1 $2 > $| < $3 >
R< $- $- > $| < $* > $| < $+ >	$@ < $4 >

Sacc_mark
RF < $- $- > < $* >	$@ $>acc_full < $1 $2 > < $3 >
RD < $- $- > < $* >	$@ $>acc_domain < $1 $2 > < $3 >
RE < $- $- > < $* >	$@ $>acc_exact < $1 $2 > < $3 >

# acc_exact: "< mode Tag > < key >" -> "< value >" or "<?>": the key as it is
Sacc_exact
R< $- $- > < $* >	$: < $(access $2:$3 $: ? $) > < $1 $2 > < $3 >
R<?> < + $- > < $+ >	$: < $(access $2 $: ? $) > < + $1 > < $2 >
R<?> $*			$@ <?>
R< $+ <TMPF> > $*	$@ < <TMPF> >
R< $* > $*		$@ < $1 >

# acc_full: "< mode Tag > < user@host >" -> "< value >" or "<?>": the key,
# then for user+detail@host user+*@host and user@host.  A lookup that
# failed for the time being gives "< <TMPF> >"
Sacc_full
R< $- $- > < $+ >	$: < $(access $2:$3 $: ? $) > < $1 $2 > < $3 >
R<?> < + $- > < $+ >	$: < $(access $2 $: ? $) > < + $1 > < $2 >
R<?> < $- $- > < $+ + $* @ $+ >	$: < $(access $2:$3+*@$5 $: ? $) > < $1 $2 > < $3 + $4 @ $5 >
R<?> < + $- > < $+ + $* @ $+ >	$: < $(access $2+*@$4 $: ? $) > < + $1 > < $2 + $3 @ $4 >
R<?> < $- $- > < $+ + $* @ $+ >	$: < $(access $2:$3@$5 $: ? $) > < $1 $2 > < $3 + $4 @ $5 >
R<?> < + $- > < $+ + $* @ $+ >	$: < $(access $2@$4 $: ? $) > < + $1 > < $2 + $3 @ $4 >
R<?> $*			$@ <?>
R< $+ <TMPF> > $*	$@ < <TMPF> >
R< $+ > $*		$@ < $1 >

# acc_domain: "< mode Tag > < domain >" -> "< value >" or "<?>": the
# domain, then its parents (an address literal loses its last part, a name
# its first label); the domain is taken as it is, a trailing dot included
Sacc_domain
R< $- $- > < $* >	$: < $(access $2:$3 $: ? $) > < $1 $2 > < $3 >
R<?> < + $- > < $+ >	$: < $(access $2 $: ? $) > < + $1 > < $2 >
ifdef(`_CF_FEATURE_lookupdotdomain_', `R<?> < $- $- > < $+ . $+ >	$: < $(access $2:.$4 $: ? $) > < $1 $2 > < $3 . $4 >
R<?> < + $- > < $+ . $+ >	$: < $(access .$3 $: ? $) > < + $1 > < $2 . $3 >
')dnl
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > < $- $- > < $+ >	$@ <?>
')dnl
R<?> < $- $- > < [ $+ . $- ] >	$@ $>acc_domain < $1 $2 > < [ $3 ] >
R<?> < $- $- > < [ $+ : : $- ] >	$@ $>acc_domain < $1 $2 > < [ $3 ] >
R<?> < $- $- > < [ $+ : $- ] >	$@ $>acc_domain < $1 $2 > < [ $3 ] >
R<?> < $- $- > < $+ . $+ >	$@ $>acc_domain < $1 $2 > < $4 >
R<?> $*			$@ <?>
R< $+ <TMPF> > $*	$@ < <TMPF> >
R< $* > $*		$@ < $1 >

# acc_address: "< mode Tag > < address >" -> "< value >" or "<?>": a client
# address, then its shorter prefixes (an IPv6 one loses its last : part)
Sacc_address
R< $- $- > < $+ >	$: < $(access $2:$3 $: ? $) > < $1 $2 > < $3 >
R<?> < + $- > < $+ >	$: < $(access $2 $: ? $) > < + $1 > < $2 >
ifdef(`_CF_ACCESS_SKIP_', `R< SKIP > < $- $- > < $+ >	$@ <?>
')dnl
R<?> < $- $- > < $+ : : $- >	$@ $>acc_address < $1 $2 > < $3 >
R<?> < $- $- > < $+ : $- >	$@ $>acc_address < $1 $2 > < $3 >
R<?> < $- $- > < $+ . $- >	$@ $>acc_address < $1 $2 > < $3 >
R<?> $*			$@ <?>
R< $+ <TMPF> > $*	$@ < <TMPF> >
R< $* > $*		$@ < $1 >
')dnl
')dnl

######################################################################
#
#   check_relay: the connection ("client name $| client address")
#
######################################################################
SLocal_check_relay
ifdef(`_CF_FEATURE_delay_checks_', `ifdef(`_CF_ratecontrol_NODELAY_', `define(`_CF_RELAY_RS_')')ifdef(`_CF_conncontrol_NODELAY_', `define(`_CF_RELAY_RS_')')', `define(`_CF_RELAY_RS_')')dnl
ifdef(`_CF_RELAY_RS_', `Scheck_relay
R$*			$: $1 $| $>Local_check_relay $1
R$* $| $* $| $#$*	$#$3
R$* $| $* $| $*		$: $1 $| $2
ifdef(`_CF_FEATURE_ratecontrol_', `ifdef(`_CF_FEATURE_delay_checks_', `ifdef(`_CF_ratecontrol_NODELAY_', `define(`_CF_RATE_HERE_')')', `define(`_CF_RATE_HERE_')')')dnl
ifdef(`_CF_FEATURE_conncontrol_', `ifdef(`_CF_FEATURE_delay_checks_', `ifdef(`_CF_conncontrol_NODELAY_', `define(`_CF_CONN_HERE_')')', `define(`_CF_CONN_HERE_')')')dnl
ifdef(`_CF_RATE_HERE_', `R$*			$: $1 $| $>rate_control $&{client_addr}
R$* $| $#$*		$#$2
R$* $| $*		$: $1
')dnl
ifdef(`_CF_CONN_HERE_', `R$*			$: $1 $| $>conn_control $&{client_addr}
R$* $| $#$*		$#$2
R$* $| $*		$: $1
')dnl
ifdef(`_CF_FEATURE_delay_checks_', `R$*			$@ OK
')dnl
R$*			$: $>basic_relay $1
')dnl

ifdef(`_CF_FEATURE_ratecontrol_', `# rate_control: ClientRate:address (or its prefixes, or the bare ClientRate:
# default) gives the connections allowed per ConnectionRateWindowSize; 0 is
# no limit
Srate_control
R$*			$: $>acc_iptag < ClientRate > $1
R<?>			$@ OK
R< 0 >			$@ OK
R< $- >			$: $(arith l $@ $1 $@ $&{client_rate} $)
RTRUE			$# error $@ 4.3.2 $: ifdef(`_CF_ratecontrol_TERMINATE_', `421', `452') Connection rate limit exceeded.
R$*			$@ OK
')dnl

ifdef(`_CF_FEATURE_conncontrol_', `# conn_control: ClientConn:address gives the open connections allowed
Sconn_control
R$*			$: $>acc_iptag < ClientConn > $1
R<?>			$@ OK
R< 0 >			$@ OK
R< $- >			$: $(arith l $@ $1 $@ $&{client_connections} $)
RTRUE			$# error $@ 4.3.2 $: ifdef(`_CF_conncontrol_TERMINATE_', `421', `452') Too many open connections.
R$*			$@ OK
')dnl

ifdef(`_CF_FEATURE_greet_pause_', `# greet_pause: how long to wait before the greeting, in milliseconds:
# GreetPause: entries for the client name or address, else the default
SLocal_greet_pause
Sgreet_pause
R$*			$: $1 $| $>Local_greet_pause $1
R$* $| $* $| $#$*	$#$3
R$* $| $* $| $*		$: $1 $| $2
ifdef(`_CF_ACCESS_', `R$+ $| $+		$: $1 $| $2 <> $>acc_domtag < GreetPause > $1
R$+ $| $+ <> <?>	$: $1 $| $2 <> $>acc_iptag < GreetPause > $2
R$* <> < $* >		$# $2
R$* <> $*		$: $1
')dnl
ifdef(`_CF_GREET_PAUSE_', `R$*			$# _CF_GREET_PAUSE_
')dnl
')dnl

Sbasic_relay
ifdef(`_CF_ACCESS_', `R$+ $| $+		$: $1 $| $2 <> $>acc_dom < Connect > $1
R$+ $| $+ <> <?>	$: $1 $| $2 <> $>acc_ip < Connect > $2
R$* <> <?>		$: $1
R$* <> < $* >		$: $>acc_value < $2 > $1
R$#$*			$#$1
R< OK > $*		$@ OK
R< RELAY > $*		$@ RELAY
R< $* > $*		$: $2
')dnl
ifdef(`_CF_FEATURE_require_rdns_', `R$* $| $*		$: $1 $| $2 $| $&{client_resolve}
R$* $| $* $| FAIL	$# error $@ 5.7.1 $: "550 Fix reverse DNS for " $&{client_addr}
R$* $| $* $| TEMP	$# error $@ 4.1.8 $: "451 Client IP address " $&{client_addr} " does not resolve"
R$* $| $* $| FORGED	$# error $@ 4.1.8 $: "451 Possibly forged hostname for " $&{client_addr}
R$* $| $* $| $*		$: $1 $| $2
')dnl
ifdef(`_CF_DNSBL_LIST_', `R$* $| $*		$: $>dnsbl $2
R$#$*			$#$1
')dnl
R$*			$@ OK

ifdef(`_CF_DNSBL_LIST_', `# dnsbl: the DNS block lists, in the order of the .mc
Sdnsbl
R$*			$: $&{client_addr} $| OK
undivert(12)dnl
R$*			$@ OK
')dnl

######################################################################
#
#   check_mail: the envelope sender
#
######################################################################
SLocal_check_mail
ifdef(`_CF_FEATURE_delay_checks_', `', `Scheck_mail
R$*			$: $1 $| $>Local_check_mail $1
R$* $| $#$*		$#$2
R$* $| $*		$: $1
R$*			$: $1 $| $>basic_mail $1
R$* $| $#$*		$#$2
ifdef(`_CF_FEATURE_block_bad_helo_', `R$* $| $*		$: $1 $| $>helo_check $&s
R$* $| $#$*		$#$2
')dnl
R$* $| $*		$@ $2
')dnl

ifdef(`_CF_FEATURE_block_bad_helo_', `# helo_check: a client that calls itself by our name, or by no domain at all
Shelo_check
ifdef(`_CF_ACCESS_', `R$*			$: $>acc_ip < Connect > $&{client_addr}
R< RELAY >		$@ OK
')dnl
R$*			$: $&s
R$=w			$# error $@ 5.7.1 $: "550 bogus HELO name used: " $&s
R[ $+ ]			$@ OK
R$@			$# error $@ 5.7.1 $: "550 bogus HELO name used: " $&s
R$-			$# error $@ 5.7.1 $: "550 bogus HELO name used: " $&s
R$*			$@ OK
')dnl

Sbasic_mail
R$@			$: < >
ifdef(`_CF_ACCESS_', `# the null sender: only From:<> in the access map can refuse it
R< >			$: < $(access From:<> $: <?> $) > <@>
R< <?> > <@>		$@ OK
R< $* > <@>		$: $>acc_value < $1 > <@>
R$#$*			$#$1
R< $* > <@>		$@ OK
')dnl
R< >			$@ OK
ifdef(`_CF_FEATURE_accept_unqualified_senders_', `', `# a loopback name as the sender domain is accepted only from a client that
# this host knows by name; under DaemonPortOptions M=f, so is any domain of
# one label, and under M=u no name is checked
R$*			$: $1 $| $&{daemon_flags} $| <LH> $1
R$* $| $* f $* $| <LH> < $* @ $- >	$: $1 $| <CN> $&{client_name}
R$* $| $* f $* $| <LH> $* @ $-	$: $1 $| <CN> $&{client_name}
R$* $| $* u $* $| <LH> $*	$: $1
R$* $| $* $| <LH> $*		$: $1 $| <LH> $3
R$* $| <LH> $* @ localhost	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ localhost >	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ [ 127 . 0 . 0 . 1 ]	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ [ 127 . 0 . 0 . 1 ] >	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ [ IPv6 : 0 : 0 : 0 : 0 : 0 : 0 : 0 : 1 ]	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ [ IPv6 : 0 : 0 : 0 : 0 : 0 : 0 : 0 : 1 ] >	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ [ IPv6 : : : 1 ]	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ [ IPv6 : : : 1 ] >	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ localhost . $m	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ localhost . $m >	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ localhost . UUCP	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $* @ localhost . UUCP >	$: $1 $| <CN> $&{client_name}
R$* $| <LH> $*		$: $1
R$* $| <CN>		$: $1
R$* $| <CN> $=w		$: $1
R$* $| <CN> $+		$# error $@ 5.5.4 $: "553 Real domain name required for sender address"
')dnl
# the address as it will be routed, read as if in angle brackets (so that
# a colon in a bare one starts no group); one that cannot be routed is
# taken as unqualified
R$*			$: <A> $1
R<A> < $* >		$: < $1 >
R<A> $*			$: < $1 >
R$*			$: <?> $>parse_check $>canonify $1
R<?> $#$*		$: <@>
R<?> $*			$: $1
ifdef(`_CF_FEATURE_accept_unresolvable_domains_', `', `# the domain is looked up now; its verdict comes after the access map
R$* < @ $+ > $*		$: $1 < @ $2 > $3 <RES> $2
R$* <RES> $+ .		$: $1 <RES> $2
# pseudo domains and this host need no DNS
R$* <RES> $* $=P	$: $1
R$* <RES> $j		$: $1
R$* <RES> $+		$: $1 <RES> $(resolve $2 $: $2 <PERM> $)
')dnl
ifdef(`_CF_ACCESS_', `R$*			$: $1 $| $>q_or_u $1
R$+ < @ $* > $* $| <Q>	$: $1 < @ $2 > $3 $| $>acc_addr < From > $1 < @ $2 >
R$+ $| <U>		$: $1 $| $>acc_addr < From > $1 < @ $j >
R$* $| <U>		$: $1 $| <?>
R$* $| <Q>		$: $1 $| <?>
R$* $| <?>		$: $1
R$* $| < $* >		$: $>acc_value < $2 > $1
R$#$*			$#$1
R< OK > $*		$# OK
R< RELAY > $*		$# RELAY
R< $* > $*		$: $2
')dnl
ifdef(`_CF_FEATURE_accept_unresolvable_domains_', `', `# the domain of the sender must exist
R$* <RES> $* <PERM>	$# error $@ 5.1.8 $: "553 Domain of sender address " $&f " does not exist"
R$* <RES> $* <TEMP>	$# error $@ 4.1.8 $: "451 Domain of sender address " $&f " does not resolve"
R$* <RES> $* < $- >	$: $1
# a result without its tag: a "(" in the domain opened a comment that ate it
R$* <RES> $+		$# error $@ 5.5.4 $: "553 Domain name required for sender address " $&f
R$* <RES>		$: <@>
')dnl
ifdef(`_CF_BADMX_', `# an MX of the sender domain that points at loopback, this network or 0.0.0.0
R$* < @ $+ . > $*	$: $1 < @ $2 > $3
R$* < @ $+ > $*		$: $1 < @ $2 > $3 $| $>badmx $2
R$* $| $#$*		$#$2
R$* $| $*		$: $1
')dnl
R$* < @ $+ > $*		$@ OK
ifdef(`_CF_FEATURE_accept_unqualified_senders_', `', `# a sender without a domain, from a network client
R$*			$: $1 $| $&{daemon_flags}
R$* $| $* u $*		$@ OK
R$* $| $*		$: $1 $| $&{client_addr}
R$* $| $+		$# error $@ 5.5.4 $: "553 Domain name required for sender address " $&f
')dnl
R$*			$@ OK

######################################################################
#
#   check_rcpt: an envelope recipient
#
######################################################################
SLocal_check_rcpt
Scheck_rcpt
R$*			$: $1 $| $>Local_check_rcpt $1
R$* $| $#$*		$#$2
R$* $| $*		$: $1
R$*			$: $1 $| $>basic_rcpt $1
R$* $| $#$*		$#$2
ifdef(`_CF_FEATURE_delay_checks_', `ifdef(`_CF_DELAY_FRIEND_', `# spam friends skip the delayed checks
R$* $| $*		$: $1 $| $>spam_tag $1
R$* $| < FRIEND >	$@ SPAMFRIEND
')ifdef(`_CF_DELAY_HATER_', `# only spam haters get the delayed checks
R$* $| $*		$: $1 $| $>spam_tag $1
R$* $| < HATER >	$: $1 $| HATER
R$* $| < $* >		$@ NOSPAMHATER
')ifdef(`_CF_DELAY_FRIEND_', `', `ifdef(`_CF_DELAY_HATER_', `', `# the recipient is made canonical once more (as the spam checks do)
R$* $| $*		$: $1 $| $>parse_check $>canonify $1
')')# the delayed sender and connection checks.  The sender is what Sendmail
# passes: ${mail_from} in friend mode, else $f in angle brackets (so that a
# null sender reads <<>> and needs a domain)
ifdef(`_CF_DELAY_FRIEND_', `R$* $| $*		$: $1 $| $>basic_mail $&{mail_from}
', `R$* $| $*		$: $1 $| $>basic_mail < $&f >
')dnl
R$* $| $#$*		$#$2
R$* $| $*		$: $1 $| $>basic_relay $&{client_name} $| $&{client_addr}
R$* $| $#$*		$#$2
ifdef(`_CF_FEATURE_block_bad_helo_', `R$* $| $*		$: $1 $| $>helo_check $&s
R$* $| $#$*		$#$2
')')dnl
R$* $| $*		$@ $2

Sbasic_rcpt
R<>			$# error $@ nouser $: "553 User address required"
R$@			$# error $@ nouser $: "553 User address required"
R$*			$: <?> $>parse_check $>canonify $1
R<?> $#$*		$#$1
R<?> $*			$: $1
ifdef(`_CF_FEATURE_blacklist_recipients_', `ifdef(`_CF_ACCESS_', `# recipients the access map refuses
R$*			$: $1 $| $>q_or_u $1
R$+ < @ $* > $* $| <Q>	$: $1 < @ $2 > $3 $| $>acc_rcpt < To > $1 < @ $2 >
R$+ $| <U>		$: $1 $| < $(access To:$1@ $: <?> $) >
R$+ $| < <?> >		$: $1 $| < $(access $1@ $: <?> $) >
R$* $| < <?> >		$: $1 $| <?>
R$* $| <U>		$: $1 $| <?>
R$* $| <Q>		$: $1 $| <?>
R$* $| <?>		$: $1
R$* $| < REJECT >	$# error $@ 5.2.1 $: "550 Mailbox disabled for this recipient"
R$* $| < $* >		$: $>acc_value < $2 > $1
R$#$*			$#$1
R< $* > $*		$: $2
')')dnl
ifdef(`_CF_FEATURE_promiscuous_relay_', `R$*			$@ RELAY
')dnl
# the recipient side first: ours, relayed for, or a temporary failure to
# tell, which is the answer only when the client may not relay either
R$* < @ $+ > $*		$: <NO> $>relay_to $1 < @ $2 > $3
R<NO> <RELAY> $*	$@ RELAY
R<NO> <TEMP> $*		$: <TEMP> $1 $| $>relay_from $1
R<NO> $*		$: <NO> $| $>relay_from $1
ifdef(`_CF_NOUUCP_REJECT_', `R$* ! $*		$: <NO> $| $>relay_from $1 ! $2
')dnl
ifelse(defn(`_CF_NOPERCENT_'), `r', `R$* % $*		$: <NO> $| $>relay_from $1 % $2
')dnl
R$* $| <RELAY>		$@ RELAY
R$* $| $*		$: $1 $| <DENY> $&{client_resolve}
R$* $| <DENY> TEMP	$# error $@ 4.4.0 $: "450 Relaying temporarily denied. Cannot resolve PTR record for " $&{client_addr}
R$* $| <DENY> FORGED	$# error $@ 5.7.1 $: "550 Relaying denied. IP name possibly forged " $&{client_name}
R$* $| <DENY> FAIL	$# error $@ 5.7.1 $: "550 Relaying denied. IP name lookup failed " $&{client_name}
R<TEMP> $-.$-.$- $+ $| <DENY> $*	$# error $@ $1.$2.$3 $: $4
ifdef(`_CF_CLASS_TrustAuthMech_', `R$* $| <DENY> $*	$# error $@ 5.7.1 $: "550 Relaying denied. Proper authentication required."
')dnl
R$* $| <DENY> $*	$# error $@ 5.7.1 $: "550 Relaying denied"
# no domain: a local recipient
R$*			$@ RELAY

ifdef(`_CF_FEATURE_delay_checks_', `ifdef(`_CF_ACCESS_', `# spam_tag: the Spam: entry of a recipient (user@domain, the domain and
# its parents, user@) as "< value >", or "<?>"
Sspam_tag
R$*			$: <?> $>parse_check $>canonify $1
R<?> $#$*		$@ <?>
R<?> <@>		$@ <?>
R<?> $+ < @ $+ . > $*	$: $1 < @ $2 >
R<?> $+ < @ $+ > $*	$: $1 < @ $2 >
R<?> $+			$: $1 < @ $j >
R<?> $*			$@ <?>
R$+ < @ $+ >		$: $1 < @ $2 > $| $>acc_keyt < Spam > $1 @ $2
R$+ < @ $+ > $| <?>	$: $1 < @ $2 > $| $>acc_domtag < Spam > $2
# user@ only for the names of this host
R$+ < @ $=w > $| <?>	$: $1 < @ $2 > $| $>acc_keyt < Spam > $1 @
R$* $| $*		$@ $2
')')dnl

ifdef(`_CF_BADMX_', `# badmx: "domain" -> OK or an error: each MX host of the domain (or the
# domain itself when it has none) must be a name, not an address literal
# or the null MX, and its first address must not match BadMXIP; a list is
# ": host : host :", worked through from the front while the results
# gather behind it
Sbadmx
R$+			$: <MX> $1 $| : $(mxlist $1 $) : $| :
R<MX> $+ $| : $* <TEMP> : $| $*	$# error $@ 4.1.2 $: "450 MX lookup failure for " $1
R<MX> $+ $| : $+ : $* $| $*	<MX> $1 $| : $3 $| $4 $(mxliteral $2 $) :
R<MX> $+ $| : $| $* <BADMX> $*	$# error $@ 5.1.2 $: "550 Illegal MX record for host " $1
R<MX> $+ $| : $| $*	$: <A> $1 $| $2 $| :
R<A> $+ $| : $+ : $* $| $*	<A> $1 $| : $3 $| $4 $(dnsA $2 $) :
R<A> $+ $| : $| $*	$: <IP> $1 $| $2 $| :
R<IP> $+ $| : $+ : $* $| $*	<IP> $1 $| : $3 $| $4 $(BadMXIP $2 $) :
R<IP> $+ $| : $| $* <BADMXIP> $*	$# error $@ 5.1.2 $: "550 Invalid MX record for host " $1
R$*			$@ OK
')dnl

# relay_to: "<RELAY> address" when the recipient is ours or one we relay for
Srelay_to
R$* < @ $* . > $*	$: $1 < @ $2 > $3
ifdef(`_CF_NOUUCP_REJECT_', `# a ! in the local part: for another host (nouucp with reject)
R$* ! $* < @ $* > $*	$@ NO
')dnl
ifelse(defn(`_CF_NOPERCENT_'), `r', `# a % in the local part: for another host (nopercenthack with reject)
R$* % $* < @ $* > $*	$@ NO
')dnl
R$+ < @ $=w > $*	$: $>rcpt_local $1
R$+ < @ $=R > $*	$@ $>rcpt_local $1
ifdef(`_CF_FEATURE_relay_hosts_only_', `', `R$+ < @ $* . $=R > $*	$@ $>rcpt_local $1
')dnl
ifdef(`_CF_FEATURE_virtusertable_', `R$+ < @ $={VirtHost} > $*	$@ $>rcpt_local $1
ifdef(`_CF_FEATURE_virtuser_entire_domain_', `R$+ < @ $* . $={VirtHost} > $*	$@ $>rcpt_local $1
')')dnl
ifdef(`_CF_FEATURE_relay_entire_domain_', `R$+ < @ $* $=m > $*	$@ $>rcpt_local $1
')dnl
ifdef(`_CF_ACCESS_', `R$+ < @ $+ > $*		$: $1 < @ $2 > $3 $| $>ifdef(`_CF_FEATURE_relay_hosts_only_', `acc_host', `acc_dom') < To > $2
R$+ < @ $+ > $* $| < RELAY >	$@ $>rcpt_local $1
R$* $| < <TMPF> >	$@ <TEMP> 4.3.0 "451 Temporary system failure. Please try again later."
R$* $| $*		$: $1
')dnl
ifdef(`_CF_FEATURE_relay_based_on_MX_', `# a domain that has this host among its MX hosts
R$+ < @ $+ > $*		$: $1 < @ $2 > $3 $| : $(mxlist $2 $) :
R$* $| : $* <TEMP> :	$@ <TEMP> 4.4.0 "450 Can not check MX records for recipient host " $2
R$* $| $* : $=w . : $*	$@ <RELAY> $1
R$* $| $*		$: $1
')dnl
R$*			$@ $1

# rcpt_local: the local part of a recipient of this host (the %-hack)
Srcpt_local
ifdef(`_CF_FEATURE_loose_relay_check_', `R$*			$@ <RELAY> $1
')dnl
R$+ @ $+		$@ $>relay_to $>canonify $1 @ $2
ifdef(`_CF_NOPERCENT_', `', `R$+ % $+		$@ $>relay_to $>canonify $1 % $2
')dnl
ifdef(`_CF_UUCP_', `R$+ ! $+		$@ $>relay_to $>canonify $1 ! $2
')dnl
R$*			$@ <RELAY> $1

# q_or_u: <Q> for a qualified (focused) address, <U> for one without a domain
Sq_or_u
R$* < @ $* > $*		$@ <Q>
R$*			$@ <U>

# relay_client: "<RELAY>" when the client address may relay (loopback,
# access map Connect: RELAY, relay-domains)
Srelay_client
R$@			$@ <RELAY>
R127 . $*		$@ <RELAY>
ifdef(`_CF_FEATURE_drac_', `# clients that the drac map knows (POP before SMTP); IPv6 without its tag too
R$+			$: $1 $| $(drac $1 $: <?> $)
R$+ $| <?>		$: $1
R$+ $| $*		$@ <RELAY>
RIPv6 : $+		$: IPv6 : $1 $| $(drac $1 $: <?> $)
R$+ $| <?>		$: $1
R$+ $| $*		$@ <RELAY>
')dnl
ifdef(`_CF_ACCESS_', `R$+			$: $1 $| $>acc_ip < Connect > $1
R$* $| < RELAY >	$@ <RELAY>
R$* $| $*		$: $1
')dnl
R$*			$@ $>r_prefix $1

# r_prefix: "<RELAY>" when the address or one of its prefixes is in class R
Sr_prefix
R$=R			$@ <RELAY>
R$+ . $-		$@ $>r_prefix $1
R$+ : $-		$@ $>r_prefix $1
R$*			$@ NO

# relay_from: "<RELAY>" when the client (or sender) may relay
Srelay_from
ifdef(`_CF_CLASS_TrustAuthMech_', `R$*			$: $&{auth_type}
R$={TrustAuthMech}	$@ <RELAY>
')dnl
R$*			$: $>relay_client $&{client_addr}
R<RELAY>		$@ <RELAY>
R$*			$: $&{client_name}
R$=w			$@ <RELAY>
R$=R			$@ <RELAY>
ifdef(`_CF_FEATURE_relay_entire_domain_', `R$* $=m		$@ <RELAY>
')dnl
ifdef(`_CF_FEATURE_relay_hosts_only_', `', `R$* . $=R		$@ <RELAY>
')dnl
ifdef(`_CF_ACCESS_', `R$+			$: $>ifdef(`_CF_FEATURE_relay_hosts_only_', `acc_host', `acc_dom') < Connect > $1
R< RELAY >		$@ <RELAY>
')dnl
ifdef(`_CF_FEATURE_relay_local_from_', `# a sender of this host (forgeable)
R$*			$: <?> $>canonify $&f
R<?> $+ < @ $=w . >	$@ <RELAY>
')dnl
ifdef(`_CF_FEATURE_relay_mail_from_', `ifdef(`_CF_ACCESS_', `# the access map says RELAY for the sender
R$*			$: <?> $>canonify $&f
R<?> $+ < @ $+ . >	$: <?> $1 < @ $2 >
R<?> $+ < @ $+ >	$: $1 < @ $2 > $| < $(access From:$1@$2 $: <?> $) >
ifdef(`_CF_RELAY_MAIL_FROM_DOMAIN_', `R$+ < @ $+ > $| < <?> >	$: $1 < @ $2 > $| $>acc_domtag < From > $2
')dnl
R$* $| < RELAY >	$@ <RELAY>
')')dnl
R$*			$@ NO
