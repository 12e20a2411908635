divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`accept_unresolvable_domains'): Accept senders whose domain does not resolve.
#
divert(-1)
