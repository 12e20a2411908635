divert(-1)define(`_CF_LOADED_')
#
#  OSTYPE(`sunos4.1'): SunOS 4.1.
#
define(`confEBINDIR', `/usr/lib')
divert(-1)
