divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`compat_check'): Check sender/recipient pairs in the access map (Compat:).
dnl #
divert(-1)
