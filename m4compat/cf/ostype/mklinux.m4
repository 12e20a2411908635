divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`mklinux'): MkLinux.
dnl #
_CF_DEFAULT(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')
_CF_DEFAULT(`STATUS_FILE', `/var/log/sendmail.st')
define(`confEBINDIR', `/usr/sbin')
FEATURE(`local_procmail')
divert(-1)
