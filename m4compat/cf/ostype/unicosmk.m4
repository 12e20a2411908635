divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`unicosmk'): Cray UNICOS/mk.
dnl #
define(`ALIAS_FILE', `/usr/lib/aliases')
define(`HELP_FILE', `/usr/lib/sendmail.hf')
define(`LOCAL_SHELL_FLAGS', `lsDFMpxehuo')
define(`QUEUE_DIR', `/usr/spool/mqueue')
define(`STATUS_FILE', `/usr/lib/sendmail.st')
define(`confPID_FILE', `/etc/sendmail.pid')
MODIFY_MAILER_FLAGS(`SMTP', `+anpeLC')
divert(-1)
