divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`virtuser_entire_domain'): Apply virtusertable @domain entries to subdomains too.
#
divert(-1)
