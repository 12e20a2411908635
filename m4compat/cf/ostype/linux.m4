divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`linux'): Linux.
dnl #
define(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')
define(`confEBINDIR', `/usr/sbin')
FEATURE(`local_procmail')
divert(-1)
