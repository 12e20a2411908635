divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`mailertable'): Route domains through the mailertable map.
dnl #
_CF_MAPDECL(`mailertable', `mailertable', _ARG_)
divert(-1)
