divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`redirect'): Reject mail to user@host.REDIRECT with a 551 pointing at the new address.
#
divert(-1)
