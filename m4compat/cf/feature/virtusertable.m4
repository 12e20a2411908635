divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`virtusertable'): Map virtual addresses through the virtuser map.
dnl #
_CF_MAPDECL(`virtuser', `virtusertable', _ARG_)
divert(-1)
