divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`accept_unresolvable_domains'): Accept senders whose domain does not resolve.
dnl #
divert(-1)
