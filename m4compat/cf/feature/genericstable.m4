divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`genericstable'): Rewrite outgoing sender addresses through the generics map.
dnl #
_CF_MAPDECL(`generics', `genericstable', _ARG_)
divert(-1)
