divert(-1)define(`_CF_LOADED_')
#
#  OSTYPE(`ultrix4'): DEC Ultrix 4.x.
#
define(`confEBINDIR', `/usr/lib')
divert(-1)
