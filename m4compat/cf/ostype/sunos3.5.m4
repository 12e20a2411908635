divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`sunos3.5'): SunOS 3.5.
dnl #
define(`confEBINDIR', `/usr/lib')
divert(-1)
