divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`relay_based_on_MX'): Relay for domains whose MX points at this host.
dnl #
divert(-1)
