divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`sco-uw-2.1'): SCO UnixWare 2.1.
dnl #
define(`LOCAL_MAILER_ARGS', `rmail $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `fhCEn9')
define(`LOCAL_MAILER_PATH', `/usr/bin/rmail')
define(`LOCAL_SHELL_FLAGS', `ehuP')
define(`UUCP_MAILER_ARGS', `uux - -r -a$g -gmedium $h!rmail ($u)')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
