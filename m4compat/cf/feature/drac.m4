divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`drac' [, `maptype [flags] file']): relaying for clients that
dnl #  authenticated by POP before SMTP (DRAC, Dynamic Relay Authorization
dnl #  Control): a client address found in the drac map may relay (for IPv6
dnl #  the address is also looked up without its IPv6: tag).  Default map:
dnl #  drac in MAIL_SETTINGS_DIR.
dnl #
_CF_MAPDECL(`drac', `drac', _ARG_)
divert(-1)
