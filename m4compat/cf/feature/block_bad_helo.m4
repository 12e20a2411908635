divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`block_bad_helo'): Reject clients that say HELO with our name or an IP literal.
dnl #
divert(-1)
