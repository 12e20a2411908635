divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`a-ux'): Apple A/UX.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail -d -r $f $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `mn9')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/bin/uux')
define(`confEBINDIR', `/usr/lib')
divert(-1)
