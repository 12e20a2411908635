divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`stickyhost'): Keep user@localhost apart from user for LUSER_RELAY and MAIL_HUB.
dnl #
divert(-1)
