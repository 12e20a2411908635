divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`bitdomain' [, `maptype [flags] file']): host.BITNET addresses
dnl #  become Internet addresses: canonify looks host up in the bitdomain map
dnl #  (BITNET host -> Internet domain) and keeps host.BITNET when it is not
dnl #  there.  Default map: bitdomain in MAIL_SETTINGS_DIR.
dnl #
_CF_MAPDECL(`bitdomain', `bitdomain', _ARG_)
divert(-1)
