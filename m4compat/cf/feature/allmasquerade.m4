divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`allmasquerade'): Masquerade recipient headers too.
dnl #
divert(-1)
