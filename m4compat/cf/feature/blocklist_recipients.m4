divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`blocklist_recipients'): Look recipients up in the access map (To: and untagged).
dnl #
divert(-1)
define(`_CF_FEATURE_blacklist_recipients_', `1')
divert(-1)
