divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`require_rdns'): Reject clients without a working reverse DNS name.
dnl #
divert(-1)
