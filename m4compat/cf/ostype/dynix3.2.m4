divert(-1)define(`_CF_LOADED_')
#
#  OSTYPE(`dynix3.2'): Sequent DYNIX 3.2.
#
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
divert(-1)
