divert(-1)define(`_CF_LOADED_')
#
#  HACK(`nodns'): for hosts without a name server.  Host names are not
#  canonified through DNS, the service switch file is one that leaves DNS
#  out, and the network interfaces are not probed for names.
#
define(`confSERVICE_SWITCH_FILE', `/etc/mail/service.switch-nodns')
define(`confDONT_PROBE_INTERFACES', `True')
FEATURE(`nocanonify')
divert(-1)
