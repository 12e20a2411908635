divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`aix3'): IBM AIX 3.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `mn9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/bin/bellmail')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
