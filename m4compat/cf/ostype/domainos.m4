divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`domainos'): Apollo Domain/OS.
dnl #
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
divert(-1)
