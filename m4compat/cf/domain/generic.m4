divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  DOMAIN(`generic'): a bland domain description that suits most sites.
dnl #
dnl #  Forward files may be named per host and per +detail; the names in
dnl #  local-host-names are local; mail to user@host.REDIRECT bounces with the
dnl #  new address; root is never masqueraded.
dnl #
define(`confFORWARD_PATH', `$z/.forward.$w+$h:$z/.forward+$h:$z/.forward.$w:$z/.forward')
define(`confMAX_HEADERS_LENGTH', `32768')
FEATURE(`redirect')
FEATURE(`use_cw_file')
EXPOSED_USER(`root')
divert(-1)
