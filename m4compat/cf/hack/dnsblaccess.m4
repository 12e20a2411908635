divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`dnsblaccess' [, zone [, message [, `t' | tempmessage [, tag]]]]):
dnl #  a DNS block list whose answers the access map interprets.  With the
dnl #  connection checks, the client address a.b.c.d is looked up as
dnl #  d.c.b.a.zone (default zone blackholes.mail-abuse.org); for an answer
dnl #  w.x.y.z the access map is asked for tag:w.x.y.z, tag:w.x.y, tag:w.x,
dnl #  tag:w and then the bare tag: (tag default dnsblaccess; %1 in the value
dnl #  is the client address, %2 the zone).  OK or RELAY let the client on,
dnl #  ERROR: and DISCARD do what they say, anything else (no entry too)
dnl #  rejects with 550 5.7.1, or message.  A failed lookup is ignored, or
dnl #  with `t' a temporary error (451 4.4.3); any other third argument is
dnl #  that error's text.  EDNSBL_TO: the DNS timeout (5 s).  Needs
dnl #  FEATURE(`access_db') first.
dnl #
ifdef(`_CF_FEATURE_access_db_', `', `_CF_ERROR(`HACK(dnsblaccess) needs FEATURE(access_db) first')')
define(`_CF_DNSBL_LIST_', `1')
define(`_CF_MAP_ednsbl_', `dns -R A -a. -T<TMP> -r'ifdef(`EDNSBL_TO', `EDNSBL_TO', `5'))
define(`_CF_EDNSBL_ZONE_', ifelse(_ARG_, `', `blackholes.mail-abuse.org', `_ARG_'))
define(`_CF_EDNSBL_TAG_', ifelse(_ARG4_, `', `dnsblaccess', `_ARG4_'))
dnl # a rule line whose right-hand side starts with $# (an m4 comment
dnl # character): the macros in it are expanded as arguments, before that
define(`_CF_EDNSBL_RULE', `$1	$2
')
define(`_CF_EDNSBL_MSG_', ifelse(_ARG2_, `', ``"550 Rejected: " $&{client_addr} " listed at '_CF_EDNSBL_ZONE_`"'', `_ARG2_'))
define(`_CF_EDNSBL_TMPMSG_', ifelse(_ARG3_, `t', ``"451 Temporary lookup failure of " $&{client_addr} " at '_CF_EDNSBL_ZONE_`"'', `_ARG3_'))
divert(12)# dnsblaccess: a block list whose answers the access map interprets
R$-.$-.$-.$- $| OK	$: $1.$2.$3.$4 $| <?> $(ednsbl $4.$3.$2.$1._CF_EDNSBL_ZONE_. $: OK $) <> $1.$2.$3.$4
R$* $| <?> OK <> $*	$: $1 $| OK
R$* $| <?> $+ <TMP> <> $*	$: $1 $| < ? <TMPF> >
R$* $| <?> $* $- . <> $*	$1 $| < $(access _CF_EDNSBL_TAG_:$2$3 $@ $4 $@ _CF_EDNSBL_ZONE_ $: ? $) > $2 <> $4
R$* $| <?> $* <> $*	$: $1 $| < $(access _CF_EDNSBL_TAG_: $@ $3 $@ _CF_EDNSBL_ZONE_ $: ? $) > <> $3
ifelse(_ARG3_, `', `R$* $| < $* <TMPF> > $*	$: $1 $| OK
', `_CF_EDNSBL_RULE(`R$* $| < $* <TMPF> > $*', `$# error $@ 4.4.3 $: '_CF_EDNSBL_TMPMSG_)')dnl
R$* $| < $={Accept} > $*	$: $1 $| OK
R$* $| < ERROR : $-.$-.$- : $+ > $*	$# error $@ $2.$3.$4 $: $5
R$* $| < ERROR : $+ > $*	$# error $: $2
R$* $| < DISCARD > $*	$# discard $: discard
_CF_EDNSBL_RULE(`R$* $| < $* > $*', `$# error $@ 5.7.1 $: '_CF_EDNSBL_MSG_)dnl
divert(-1)
