divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`gnu'): GNU (the Hurd).
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail $u')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/libexec/mail.local')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
define(`confEBINDIR', `/libexec')
divert(-1)
