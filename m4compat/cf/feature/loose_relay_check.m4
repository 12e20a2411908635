divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`loose_relay_check'): Allow %-hack addresses through the relay check.
dnl #
divert(-1)
