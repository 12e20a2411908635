divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`uxpds'): Fujitsu UXP/DS.
dnl #
define(`LOCAL_MAILER_PATH', `/usr/ucblib/binmail')
define(`LOCAL_SHELL_FLAGS', `ehuP')
define(`UUCP_MAILER_ARGS', `uux - -r -a$f -gmedium $h!rmail ($u)')
define(`confDEF_GROUP_ID', `6')
define(`confEBINDIR', `/usr/ucblib')
divert(-1)
