divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`isc4.1'): Interactive UNIX (ISC) 4.1.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `lmail -s $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `humS9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/bin/lmail')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -gC $h!rmail ($u)')
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/bin/uux')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
divert(-1)
