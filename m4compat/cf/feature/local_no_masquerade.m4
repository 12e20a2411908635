divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`local_no_masquerade'): Do not masquerade mail to local mailboxes.
#
divert(-1)
