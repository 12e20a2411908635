divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`bsd4.3'): 4.3BSD.
dnl #
_CF_DEFAULT(`QUEUE_DIR', `/usr/spool/mqueue')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -z -a$g $h!rmail ($u)')
divert(-1)
