divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`qnx'): QNX.
dnl #
define(`LOCAL_MAILER_ARGS', `mail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `Sh')
define(`LOCAL_MAILER_PATH', `/usr/bin/mailx')
define(`QUEUE_DIR', `/usr/spool/mqueue')
define(`UUCP_MAILER_ARGS', `uux - -r -z -a$f $h!rmail ($u)')
divert(-1)
