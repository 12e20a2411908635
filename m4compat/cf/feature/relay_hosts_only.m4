divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`relay_hosts_only'): Match relay-domains and access RELAY entries as host names only, not domains.
dnl #
divert(-1)
