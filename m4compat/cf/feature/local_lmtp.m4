divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`local_lmtp' [, path [, argv]]): deliver local mail over LMTP,
dnl #  by default with mail.local -z.
dnl #
define(`LOCAL_MAILER_PATH', ifelse(_ARG_, `', ifdef(`confEBINDIR', `confEBINDIR', `/usr/libexec')`/mail.local', _ARG_))
define(`LOCAL_MAILER_ARGS', ifelse(_ARG2_, `', `mail.local -l', _ARG2_))
define(`LOCAL_MAILER_FLAGS', `PSXmnz9')
define(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE', `SMTP')
divert(-1)
