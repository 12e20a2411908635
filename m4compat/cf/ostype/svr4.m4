divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`svr4'): generic System V Release 4.
dnl #
define(`LOCAL_MAILER_PATH', `/usr/ucblib/binmail')
define(`LOCAL_SHELL_FLAGS', `ehuP')
define(`UUCP_MAILER_ARGS', `uux - -r -a$g -gmedium $h!rmail ($u)')
define(`confEBINDIR', `/usr/ucblib')
divert(-1)
