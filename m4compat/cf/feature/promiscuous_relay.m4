divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`promiscuous_relay'): Relay for everybody (an open relay: never on the Internet).
#
_CF_WARNING(`FEATURE(promiscuous_relay) makes this host an open relay')
divert(-1)
