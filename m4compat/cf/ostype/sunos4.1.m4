divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`sunos4.1'): SunOS 4.1.
dnl #
define(`confEBINDIR', `/usr/lib')
divert(-1)
