divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`darwin'): Darwin / Mac OS X.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/usr/libexec/mail.local')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -z -a$g $h!rmail ($u)')
define(`confDONT_BLAME_SENDMAIL', `AssumeSafeChown,GroupWritableDirPathSafe')
MODIFY_MAILER_FLAGS(`LOCAL', `+S')
divert(-1)
