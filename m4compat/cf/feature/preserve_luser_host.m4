divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`preserve_luser_host'): Keep the recipient host when sending to LUSER_RELAY.
dnl #
divert(-1)
