divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`blacklist_recipients'): Look recipients up in the access map (To: and untagged).
#
divert(-1)
