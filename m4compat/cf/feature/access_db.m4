divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`access_db' [, `maptype [flags] file']): keep the access map, the
dnl #  administrator's rules for connections (Connect:), senders (From:),
dnl #  recipients (To:) and untagged entries.  Lookups must be able to say
dnl #  "temporary failure", so the map gets -T<TMPF> when the argument lacks it.
dnl #
ifelse(_ARG_, `', `_CF_MAPDECL(`access', `access', `', `-T<TMPF>')',
	index(_ARG_, `-T<TMPF>'), `-1',
	`_CF_WARNING(`the argument of FEATURE(access_db) lacks -T<TMPF>; added')define(`_CF_MAP_access_', patsubst(_ARG_, `^\([^ 	]*\)', `\1 -T<TMPF>'))',
	`_CF_MAPDECL(`access', `access', _ARG_)')
dnl # the further arguments: skip makes SKIP a value that ends a search as if
dnl # nothing were found; lookupdotdomain turns that FEATURE on
ifelse(_ARG2_, `skip', `define(`_CF_ACCESS_SKIP_', `1')', _ARG3_, `skip', `define(`_CF_ACCESS_SKIP_', `1')', _ARG4_, `skip', `define(`_CF_ACCESS_SKIP_', `1')')
ifelse(_ARG2_, `lookupdotdomain', `define(`_CF_FEATURE_lookupdotdomain_', `1')', _ARG3_, `lookupdotdomain', `define(`_CF_FEATURE_lookupdotdomain_', `1')', _ARG4_, `lookupdotdomain', `define(`_CF_FEATURE_lookupdotdomain_', `1')')
divert(-1)
