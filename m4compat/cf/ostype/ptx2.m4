divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`ptx2'): Sequent DYNIX/ptx 2.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `fmn9')
define(`LOCAL_MAILER_PATH', `/bin/mail')
define(`LOCAL_SHELL_FLAGS', `eu')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
divert(-1)
