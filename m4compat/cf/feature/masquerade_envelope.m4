divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`masquerade_envelope'): Masquerade envelope sender addresses too.
dnl #
divert(-1)
