divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`tls_session_features'): per-peer TLS settings from the access
dnl #  map.  The rulesets tls_srv_features (Sendmail as server: the client)
dnl #  and tls_clt_features (as client: the server) get "name $| address" and
dnl #  return the value of a TLS_Srv_Features: (TLS_Clt_Features:) entry for
dnl #  the name or one of its parent domains, else for the address or one of
dnl #  its prefixes, else "".  Without FEATURE(`access_db') they return "".
dnl #
ifdef(`_CF_FEATURE_access_db_', `define(`_CF_ACC_LIST_', `1')')
divert(13)
######################################################################
#   tls_srv_features, tls_clt_features: "name $| address" -> the TLS
#   settings the access map gives that peer, or ""
######################################################################
Stls_srv_features
ifdef(`_CF_FEATURE_access_db_', `R$* $| $*		$: $>tls_features < TLS_Srv_Features > $1 $| $2
', `R$*			$@ ""
')dnl

Stls_clt_features
ifdef(`_CF_FEATURE_access_db_', `R$* $| $*		$: $>tls_features < TLS_Clt_Features > $1 $| $2
', `R$*			$@ ""
')dnl
ifdef(`_CF_FEATURE_access_db_', `
# tls_features: "< Tag > name $| address" -> the value of Tag: for the name
# (and its parents), else for the address (and its prefixes), else ""
Stls_features
R< $- > $* $| $*	$: < $1 > < $3 > $>acc_domain < ! $1 > < $2 >
R< $- > < $* > <?>	$: < $1 > < $2 > $>acc_address < ! $1 > < $2 >
R< $- > < $* > <?>	$@ ""
R< $- > < $* > < $+ >	$@ $3
')dnl
divert(-1)
