divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`mailertable'): Route domains through the mailertable map.
#
_CF_MAPDECL(`mailertable', `mailertable', _ARG_)
divert(-1)
