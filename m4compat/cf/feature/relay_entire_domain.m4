divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`relay_entire_domain'): Relay for every host in the local domain ($=m).
dnl #
divert(-1)
