divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`hpux9'): HP-UX 9.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `rmail -d $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `m9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/bin/rmail')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g -gC $h!rmail ($u)')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
