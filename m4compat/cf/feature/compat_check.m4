divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`compat_check'): Check sender/recipient pairs in the access map (Compat:).
#
divert(-1)
