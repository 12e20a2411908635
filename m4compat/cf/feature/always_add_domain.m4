divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`always_add_domain'): Qualify local addresses in mail that leaves through local mailers too.
dnl #
ifelse(_ARG_, `', `', `define(`_CF_ADD_DOMAIN_', _ARG_)')
divert(-1)
