divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`unicosmp'): Cray UNICOS/mp.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail -s -d $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `Ehm9')
define(`LOCAL_MAILER_PATH', `/usr/bin/mail')
_CF_DEFAULT(`QUEUE_DIR', `/var/spool/mqueue')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
