divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`masquerade_entire_domain'): Masquerade every host under the masquerade domains.
#
divert(-1)
