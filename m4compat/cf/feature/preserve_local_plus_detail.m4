divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`preserve_local_plus_detail'): Pass user+detail unchanged to the local mailer.
dnl #
divert(-1)
