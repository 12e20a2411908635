divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`blacklist_recipients'): Look recipients up in the access map (To: and untagged).
dnl #
divert(-1)
