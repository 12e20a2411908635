divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`no_default_msa'): no implicit message submission listener.
dnl #
dnl #  Without it the daemon also listens on port 587 as "MSA" (with ETRN
dnl #  off) next to the listeners of DAEMON_OPTIONS; with it, only the
dnl #  DAEMON_OPTIONS listeners (or, if there are none, the MTA on port 25).
dnl #  Read by _CF_DAEMON_LINES in m4/options.m4.
dnl #
define(`_CF_NO_DEFAULT_MSA_', `1')
divert(-1)
