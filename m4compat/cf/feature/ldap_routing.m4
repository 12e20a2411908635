divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`ldap_routing' [, mailHost map [, mailRoutingAddress map [,
dnl #  `bounce' [, `strip'|`preserve' [, `nodomain' [, `tempfail'|`queue']]]]]]):
dnl #  route recipients of the LDAPROUTE_DOMAIN domains by the LDAP attributes
dnl #  mailRoutingAddress (a new address) and mailHost (the host to deliver
dnl #  to), looked up for user@domain and then @domain.  `bounce' refuses
dnl #  recipients that LDAP does not know; `strip' and `preserve' say what
dnl #  happens to a +detail; `tempfail' makes a failed lookup a temporary
dnl #  error instead of queueing.
dnl #
define(`_CF_MAP_ldapmh_', ifelse(_ARG_, `', ``ldap -1 -T<TMPF> -v mailHost -k (&(objectClass=inetLocalMailRecipient)(mailLocalAddress=%0))'', _ARG_))
define(`_CF_MAP_ldapmra_', ifelse(_ARG2_, `', ``ldap -1 -T<TMPF> -v mailRoutingAddress -k (&(objectClass=inetLocalMailRecipient)(mailLocalAddress=%0))'', _ARG2_))
ifelse(_ARG_, `', `define(`_CF_LDAP_DEFAULT_MAPS_', `1')', _ARG2_, `', `define(`_CF_LDAP_DEFAULT_MAPS_', `1')')
ifdef(`_CF_LDAP_DEFAULT_MAPS_', `ifdef(`confLDAP_DEFAULT_SPEC', `', `_CF_WARNING(`FEATURE(ldap_routing) uses its default map definitions without confLDAP_DEFAULT_SPEC')')')
ifelse(_ARG3_, `bounce', `define(`_CF_LDAP_BOUNCE_', `1')')
ifelse(_ARG4_, `strip', `define(`_CF_LDAP_DETAIL_', `strip')', _ARG4_, `preserve', `define(`_CF_LDAP_DETAIL_', `preserve')')
ifelse(_ARG5_, `nodomain', `define(`_CF_LDAP_NODOMAIN_', `1')')
ifelse(_ARG6_, `tempfail', `define(`_CF_LDAP_TEMPFAIL_', `1')')
divert(-1)
