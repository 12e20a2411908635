divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`nextstep'): NeXTSTEP.
dnl #
_CF_DEFAULT(`LOCAL_SHELL_FLAGS', `euP')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/bin/uux')
define(`confEBINDIR', `/usr/lib')
divert(-1)
