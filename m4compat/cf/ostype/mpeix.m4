divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`mpeix'): HP MPE/iX.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `tsmail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `mu9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/bin/tsmail')
_CF_DEFAULT(`LOCAL_SHELL_PATH', `/bin/sh')
_CF_DEFAULT(`confDEF_USER_ID', `SERVER.SENDMAIL')
define(`confDONT_BLAME_SENDMAIL', `ForwardFileInGroupWritableDirPath')
define(`confTIME_ZONE', `USE_TZ')
_CF_DEFAULT(`confTRUSTED_USER', `SERVER.SENDMAIL')
divert(-1)
