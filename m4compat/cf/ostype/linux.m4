divert(-1)define(`_CF_LOADED_')
#
#  OSTYPE(`linux'): Linux.
#
define(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')
define(`confEBINDIR', `/usr/sbin')
FEATURE(`local_procmail')
divert(-1)
