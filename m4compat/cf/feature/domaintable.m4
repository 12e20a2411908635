divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`domaintable'): Map old domain names to new ones through the domaintable map.
dnl #
_CF_MAPDECL(`domaintable', `domaintable', _ARG_)
divert(-1)
