divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`nocanonify'): Do not canonify host names with $[ $] (except CANONIFY_DOMAIN).
dnl #
ifelse(_ARG_, `canonify_hosts', `define(`_CF_CANONIFY_HOSTS_', `1')')
divert(-1)
