divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`authinfo'): Keep SMTP AUTH client credentials in an authinfo map.
dnl #
_CF_MAPDECL(`authinfo', `authinfo', _ARG_)
divert(-1)
