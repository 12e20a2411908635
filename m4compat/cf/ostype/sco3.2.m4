divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`sco3.2'): SCO UNIX 3.2.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `lmail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `PuhCE9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/bin/lmail')
_CF_DEFAULT(`LOCAL_SHELL_FLAGS', `Peu')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/bin/uux')
define(`confEBINDIR', `/usr/lib')
divert(-1)
