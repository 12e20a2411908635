divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`dynix3.2'): Sequent DYNIX 3.2.
dnl #
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
divert(-1)
