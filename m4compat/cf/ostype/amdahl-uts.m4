divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`amdahl-uts'): Amdahl UTS.
dnl #
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `fSn9')
define(`confEBINDIR', `/usr/lib')
divert(-1)
