divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`nopercenthack', `reject' | `nospecial'): % is an ordinary
dnl #  character of a local part, not a routing operator: user%host is not
dnl #  turned into user@host (class O loses %).  With `reject' (only its first
dnl #  letter counts, as for `nospecial') a recipient whose local part has a %
dnl #  is taken as one for another host: only clients that may relay can use
dnl #  it.  With `nospecial' such a recipient of this host is simply local.
dnl #
ifelse(_ARG_, `', `_CF_ERROR(`FEATURE(nopercenthack) needs an argument: reject or nospecial')',
	substr(_ARG_, 0, 1), `r', `define(`_CF_NOPERCENT_', `r')',
	substr(_ARG_, 0, 1), `n', `define(`_CF_NOPERCENT_', `n')',
	`_CF_ERROR(`FEATURE(nopercenthack): unknown argument "'_ARG_`" (reject or nospecial)')')
divert(-1)
