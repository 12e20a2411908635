divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`bsd4.4'): 4.4BSD and its close descendants.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -z -a$g $h!rmail ($u)')
divert(-1)
