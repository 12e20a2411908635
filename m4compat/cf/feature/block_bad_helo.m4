divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`block_bad_helo'): Reject clients that say HELO with our name or an IP literal.
#
divert(-1)
