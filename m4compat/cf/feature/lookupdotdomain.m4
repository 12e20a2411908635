divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`lookupdotdomain'): Look up .domain in the access map for subdomains.
#
divert(-1)
