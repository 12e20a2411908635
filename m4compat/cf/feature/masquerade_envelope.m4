divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`masquerade_envelope'): Masquerade envelope sender addresses too.
#
divert(-1)
