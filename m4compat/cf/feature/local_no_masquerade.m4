divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`local_no_masquerade'): Do not masquerade mail to local mailboxes.
dnl #
divert(-1)
