divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`hpux11'): HP-UX 11.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `rmail -d $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `m9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/bin/rmail')
_CF_DEFAULT(`LOCAL_SHELL_PATH', `/usr/bin/sh')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g -gC $h!rmail ($u)')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
