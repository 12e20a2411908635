divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`require_rdns'): Reject clients without a working reverse DNS name.
#
divert(-1)
