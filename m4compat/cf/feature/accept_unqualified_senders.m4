divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`accept_unqualified_senders'): Accept senders without a domain part.
dnl #
divert(-1)
