divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`mtamark' [, message [, `t' | tempmessage [, RR]]]): MTA marks
dnl #  in DNS.  With the connection checks, the TXT record
dnl #  RR.d.c.b.a.in-addr.arpa (RR default _perm._smtp._srv) of the client
dnl #  address a.b.c.d says whether the client may send mail as an MTA: "1"
dnl #  lets it on, "0" rejects it (550 5.7.1, or message).  A failed lookup is
dnl #  ignored, or with `t' a temporary error (451 4.4.3); any other second
dnl #  argument is that error's text.  MTAMARK_TO: the DNS timeout (5 s).
dnl #
define(`_CF_DNSBL_LIST_', `1')
define(`_CF_MAP_mtamark_', `dns -R TXT -a. -T<TMP> -r'ifdef(`MTAMARK_TO', `MTAMARK_TO', `5'))
define(`_CF_MTAMARK_RR_', ifelse(_ARG3_, `', `_perm._smtp._srv', `_ARG3_'))
divert(12)# MTA marks under _CF_MTAMARK_RR_
R$-.$-.$-.$- $| OK	$: $1.$2.$3.$4 $| <?> $(mtamark _CF_MTAMARK_RR_.$4.$3.$2.$1.in-addr.arpa. $: OK $)
R$* $| <?> 1 .		$: $1 $| OK
R$* $| <?> 0 .		$# error $@ 5.7.1 $: ifelse(_ARG_, `', `"550 Rejected: " $&{client_addr} " not listed as MTA"', `_ARG_')
ifelse(_ARG2_, `', `R$* $| <?> $+ <TMP>	$: $1 $| OK',
`R$* $| <?> $+ <TMP>	$# error $@ 4.4.3 $: ifelse(_ARG2_, `t', `"451 Temporary lookup failure of " _CF_MTAMARK_RR_.$&{client_addr}', `_ARG2_')')
R$* $| <?> $*		$: $1 $| OK
divert(-1)
