divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`altos'): Altos System V.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `lmail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `mPuhCE9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/bin/lmail')
_CF_DEFAULT(`LOCAL_SHELL_FLAGS', `Peu')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g $h!rmail ($u)')
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/bin/uux')
define(`confEBINDIR', `/usr/lib')
divert(-1)
