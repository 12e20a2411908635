divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`tls_failures'): gone; define(`confTLS_FALLBACK_TO_CLEAR',
dnl #  `true') does what it did (an error, as for the real sendmail-cf).
dnl #
_CF_ERROR(`FEATURE(tls_failures) has been replaced by confTLS_FALLBACK_TO_CLEAR')
define(`confTLS_FALLBACK_TO_CLEAR', `true')
divert(-1)
