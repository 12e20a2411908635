divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`local_procmail' [, path [, argv [, flags]]]): deliver local mail
dnl #  with procmail instead of the system local mailer.
dnl #
define(`LOCAL_MAILER_PATH', ifelse(_ARG_, `', ifdef(`PROCMAIL_MAILER_PATH', `PROCMAIL_MAILER_PATH', `/usr/local/bin/procmail'), _ARG_))
define(`LOCAL_MAILER_ARGS', ifelse(_ARG2_, `', `procmail -a $h -d $u', _ARG2_))
define(`LOCAL_MAILER_FLAGS', ifelse(_ARG3_, `', `SPfhn9', _ARG3_))
define(`_CF_LOCAL_PROCMAIL_', `1')
divert(-1)
