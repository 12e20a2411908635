divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`bestmx_is_local' [, domains]): accept mail for domains whose best
#  MX record points at this host, as if they were in class w.
#
ifelse(_ARG_, `', `', `_CF_CLASS_ADD(`BestMXLocal', _ARG_)')
divert(-1)
