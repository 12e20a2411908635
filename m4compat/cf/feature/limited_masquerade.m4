divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`limited_masquerade'): Masquerade only the hosts of class M, not class w.
dnl #
divert(-1)
