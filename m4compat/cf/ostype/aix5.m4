divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`aix5'): IBM AIX 5.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail -F $g $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `mn9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/bin/bellmail')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
