divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`sinix'): Siemens SINIX.
dnl #
define(`LOCAL_MAILER_PATH', `/bin/mail.local')
_CF_DEFAULT(`QUEUE_DIR', `/var/spool/mqueue')
_CF_DEFAULT(`STATUS_FILE', `/var/sendmail.st')
define(`confEBINDIR', `/usr/ucblib')
divert(-1)
