divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`accept_unqualified_senders'): Accept senders without a domain part.
#
divert(-1)
