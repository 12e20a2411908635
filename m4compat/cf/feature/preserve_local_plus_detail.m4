divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`preserve_local_plus_detail'): Pass user+detail unchanged to the local mailer.
#
divert(-1)
