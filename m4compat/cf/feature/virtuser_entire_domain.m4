divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`virtuser_entire_domain'): Apply virtusertable @domain entries to subdomains too.
dnl #
divert(-1)
