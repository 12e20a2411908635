divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`masquerade_entire_domain'): Masquerade every host under the masquerade domains.
dnl #
divert(-1)
