divert(-1)define(`_CF_LOADED_')
#
#  OSTYPE(`sunos3.5'): SunOS 3.5.
#
define(`confEBINDIR', `/usr/lib')
divert(-1)
