divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`bestmx_is_local' [, domains]): accept mail for domains whose best
dnl #  MX record points at this host, as if they were in class w.
dnl #
ifelse(_ARG_, `', `', `_CF_CLASS_ADD(`BestMXLocal', _ARG_)')
divert(-1)
