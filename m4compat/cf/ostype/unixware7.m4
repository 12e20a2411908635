divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`unixware7'): SCO UnixWare 7.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `slocal -user $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `Puho9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/etc/mail/slocal')
_CF_DEFAULT(`LOCAL_SHELL_FLAGS', `Peu')
_CF_DEFAULT(`QUEUE_DIR', `/var/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
