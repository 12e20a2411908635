divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`irix4'): SGI IRIX 4.x.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `Ehm9')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
divert(-1)
