divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`riscos4.5'): MIPS RISC/os 4.5.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `rmail -d $u')
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
define(`confEBINDIR', `/usr/lib')
divert(-1)
