divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`nodns'): for hosts without a name server.  Host names are not
dnl #  canonified through DNS, the service switch file is one that leaves DNS
dnl #  out, and the network interfaces are not probed for names.
dnl #
define(`confSERVICE_SWITCH_FILE', `/etc/mail/service.switch-nodns')
define(`confDONT_PROBE_INTERFACES', `True')
FEATURE(`nocanonify')
divert(-1)
