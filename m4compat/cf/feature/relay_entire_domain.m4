divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`relay_entire_domain'): Relay for every host in the local domain ($=m).
#
divert(-1)
