divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`stickyhost'): Keep user@localhost apart from user for LUSER_RELAY and MAIL_HUB.
#
divert(-1)
