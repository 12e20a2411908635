divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`powerux'): Concurrent PowerUX.
dnl #
define(`LOCAL_MAILER_ARGS', `rmail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `mn9')
define(`LOCAL_MAILER_PATH', `/usr/bin/rmail')
define(`LOCAL_SHELL_FLAGS', `ehuP')
define(`UUCP_MAILER_ARGS', `uux - -r -a$g -gmedium $h!rmail ($u)')
define(`confEBINDIR', `/usr/local/lib')
divert(-1)
