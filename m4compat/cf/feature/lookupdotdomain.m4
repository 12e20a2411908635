divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`lookupdotdomain'): Look up .domain in the access map for subdomains.
dnl #
divert(-1)
