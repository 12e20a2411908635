divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`dgux'): Data General DG/UX.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `m9')
define(`confEBINDIR', `/usr/lib')
define(`confTIME_ZONE', `USE_TZ')
dnl # an environment variable that DG/UX's /bin/mail needs to deliver locally
divert(6)`E_FORCE_MAIL_LOCAL_=yes'
divert(-1)
