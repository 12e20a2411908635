divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`no_default_msa'): no implicit message submission listener.
#
#  Without it the daemon also listens on port 587 as "MSA" (with ETRN
#  off) next to the listeners of DAEMON_OPTIONS; with it, only the
#  DAEMON_OPTIONS listeners (or, if there are none, the MTA on port 25).
#  Read by _CF_DAEMON_LINES in m4/options.m4.
#
define(`_CF_NO_DEFAULT_MSA_', `1')
divert(-1)
