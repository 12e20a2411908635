divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`domainmap', `domain', `maptype [flags] file'): a map of its
dnl #  own for each virtual domain.  A recipient user@domain (domain in class
dnl #  {MappedDomain}, canonical) is looked up in the map domain_DOMAIN (the
dnl #  domain with . and - as _) by its user name, without any +detail, and
dnl #  goes to the address found, the +detail put back after its user part;
dnl #  a user the map does not know is refused (550 5.1.1), a lookup that
dnl #  fails for the time being queues the message (mailer dsmtp).  Routed
dnl #  local parts (user%host@domain) are parsed again without the domain.
dnl #  LOCAL_USER names are left alone when the domain is a local one; a
dnl #  sender (${addr_type} "e s") goes to the domain by smtp.
dnl #
ifelse(_ARG_, `', `_CF_ERROR(`FEATURE(domainmap) needs a domain and a map')',
	defn(`_ARG2_'), `', `_CF_ERROR(`FEATURE(domainmap) needs a map for '_ARG_)')
define(`_CF_DMAP_NAME_', `domain_'translit(_ARG_, `.-', `__'))
divert(8)# domainmap: the map of _ARG_
C{MappedDomain}_ARG_
K`'_CF_DMAP_NAME_ _ARG2_ -T<TEMP>
divert(-1)
divert(17)R$+ < @ $+ > < patsubst(_ARG_, `\.', ` . ') . > $+	$: $1 < @ $2 > $( _CF_DMAP_NAME_ $3 $: <ERROR> $)
divert(-1)
ifdef(`_CF_DMAP_', `', `define(`_CF_DMAP_', `1')dnl
divert(4)# domainmap: routed local parts are parsed again without the domain,
# the others looked up in the map of their domain
R$* $=O $* < @ $={MappedDomain} . >	$@ $>domainmap_recurse $1 $2 $3
R$+ < @ $={MappedDomain} . >		$>domainmap_lookup $1 < @ $2 . >
divert(16)
######################################################################
#   domainmap_lookup: "user < @ domain . >" through the map of domain
#   (one lookup rule per domain)
######################################################################
Sdomainmap_lookup
R$=L < @ $=w . >	$@ $1 < @ $2 . >
R$+ < @ $+ >		$: $1 < @ $2 > < $&{addr_type} >
R$+ < @ $+ > < e s >	$# smtp $@ $2 $: $1 @ $2
R$+ < @ $+ > < $* >	$: $1 < @ $2 > < $2 > $1
R$+ < @ $+ > < $+ > $+ + $*	$: $1 < @ $2 > < $3 > $4
divert(18)R$+ < @ $+ > <ERROR>	$# error $@ 5.1.1 $: "550 email address lookup in domain map failed"
R$+ < @ $+ > $* <TEMP> $*	$# dsmtp $@ localhost $: $1 @ $2
R$+ + $* < @ $+ > $+ @ $+	$: $1 + $2 < @ $3 > $4 + $2 @ $5
R$+ < @ $+ > $+		$@ $>domainmap_recurse $3

# domainmap_recurse: an address parsed again from the start
Sdomainmap_recurse
R$*			$: $>canonify $1
R$*			$@ $>parse $1
divert(-1)')
divert(-1)
