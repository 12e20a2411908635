divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`delay_checks'): Run the sender and connection checks at RCPT time.
dnl #
ifelse(_ARG_, `friend', `define(`_CF_DELAY_FRIEND_', `1')', _ARG_, `hater', `define(`_CF_DELAY_HATER_', `1')')
divert(-1)
