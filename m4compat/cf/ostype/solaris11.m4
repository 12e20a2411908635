divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`solaris11'): Solaris 11.
dnl #
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g $h!rmail ($u)')
define(`_NETINET6_')
define(`confEBINDIR', `/usr/lib')
define(`confPID_FILE', `/system/volatile/sendmail.pid')
FEATURE(`local_lmtp')
divert(-1)
