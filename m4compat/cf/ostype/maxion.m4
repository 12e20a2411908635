divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`maxion'): Concurrent Maxion (SVR4).
dnl #
define(`LOCAL_MAILER_ARGS', `mail $u')
define(`LOCAL_MAILER_PATH', `/usr/bin/mail')
define(`LOCAL_SHELL_FLAGS', `ehuP')
define(`QUEUE_DIR', `/var/spool/mqueue')
define(`STATUS_FILE', `/var/adm/log/sendmail.st')
define(`UUCP_MAILER_ARGS', `uux - -r -a$g -gmedium $h!rmail ($u)')
define(`confEBINDIR', `/usr/ucblib')
divert(-1)
