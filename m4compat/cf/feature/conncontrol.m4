divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`conncontrol' [, `nodelay' [, `terminate']]): limit clients through the
dnl #  access map (see the check in m4/checks.m4); `nodelay' keeps the check at
dnl #  connection time under delay_checks, `terminate' drops the connection (421).
dnl #
ifelse(_ARG_, `nodelay', `define(`_CF_conncontrol_NODELAY_', `1')')
ifelse(_ARG2_, `terminate', `define(`_CF_conncontrol_TERMINATE_', `1')')
ifdef(`_CF_FEATURE_access_db_', `', `_CF_ERROR(`FEATURE(conncontrol) needs FEATURE(access_db) first')')
divert(-1)
