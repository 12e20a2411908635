divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`bsdi2.0'): BSD/OS 2.0 (old name of bsdi).
dnl #
_CF_WARNING(`OSTYPE(bsdi2.0) is an old name; use OSTYPE(bsdi)')
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -z -a$g $h!rmail ($u)')
divert(-1)
