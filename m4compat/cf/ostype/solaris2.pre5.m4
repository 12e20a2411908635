divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`solaris2.pre5'): Solaris 2.0 to 2.4.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail -f $g -d $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `SnE9')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g $h!rmail ($u)')
define(`confEBINDIR', `/usr/lib')
divert(-1)
