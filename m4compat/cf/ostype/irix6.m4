divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`irix6'): SGI IRIX 6.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail -s -d $u')
define(`LOCAL_MAILER_CHARSET', `iso-8859-1')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `Ehmu9')
_CF_DEFAULT(`QUEUE_DIR', `/var/spool/mqueue')
_CF_DEFAULT(`STATUS_FILE', `/var/sendmail.st')
define(`confDEF_USER_ID', `998:998')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
