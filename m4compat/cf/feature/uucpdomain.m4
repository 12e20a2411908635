divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`uucpdomain' [, `maptype [flags] file']): host.UUCP addresses
dnl #  become Internet addresses: canonify looks host up in the uudomain map
dnl #  (UUCP host -> Internet domain) and keeps host.UUCP when it is not
dnl #  there.  Default map: uudomain in MAIL_SETTINGS_DIR.
dnl #
_CF_MAPDECL(`uudomain', `uudomain', _ARG_)
divert(-1)
