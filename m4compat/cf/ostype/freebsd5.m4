divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`freebsd5'): FreeBSD 5.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail $u')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -z -a$g $h!rmail ($u)')
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/local/bin/uux')
MODIFY_MAILER_FLAGS(`LOCAL', `+S')
divert(-1)
