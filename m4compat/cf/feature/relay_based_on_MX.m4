divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`relay_based_on_MX'): Relay for domains whose MX points at this host.
#
divert(-1)
