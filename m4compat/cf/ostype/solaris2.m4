divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`solaris2'): Solaris 2.x (SunOS 5).
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail.local -d $u')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `fSmn9')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/lib/mail.local')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g $h!rmail ($u)')
define(`confEBINDIR', `/usr/lib')
divert(-1)
