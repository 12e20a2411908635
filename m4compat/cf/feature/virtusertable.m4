divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`virtusertable'): Map virtual addresses through the virtuser map.
#
_CF_MAPDECL(`virtuser', `virtusertable', _ARG_)
divert(-1)
