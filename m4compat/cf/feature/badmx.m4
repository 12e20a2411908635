divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`badmx' [, regex]): reject senders whose domain has a bad MX: one
dnl #  that is an address literal or the null MX (550 5.1.2 Illegal MX record),
dnl #  or one whose address matches regex, by default ^(127\.|10\.|0\.0\.0\.0)
dnl #  (550 5.1.2 Invalid MX record). A domain without MX records is its own
dnl #  MX; a failed MX lookup is 450 4.1.2.
dnl #
define(`_CF_BADMX_', `1')
define(`_CF_MAP_BadMXIP_', `regex -a<BADMXIP> 'ifelse(_ARG_, `', `^(127\.|10\.|0\.0\.0\.0)', `_ARG_'))
