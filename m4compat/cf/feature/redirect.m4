divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`redirect'): Reject mail to user@host.REDIRECT with a 551 pointing at the new address.
dnl #
divert(-1)
