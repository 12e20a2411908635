divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`ultrix4'): DEC Ultrix 4.x.
dnl #
define(`confEBINDIR', `/usr/lib')
divert(-1)
