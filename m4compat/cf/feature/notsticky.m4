divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`notsticky'): user@thishost and user are treated alike for
dnl #  LUSER_RELAY and MAIL_HUB.  That is the default behaviour already (see
dnl #  FEATURE(`stickyhost') for the other one), so this FEATURE changes
dnl #  nothing; it is accepted for old .mc files.
dnl #
divert(-1)
