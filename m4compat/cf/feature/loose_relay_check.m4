divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`loose_relay_check'): Allow %-hack addresses through the relay check.
#
divert(-1)
