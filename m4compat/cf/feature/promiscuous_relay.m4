divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`promiscuous_relay'): Relay for everybody (an open relay: never on the Internet).
dnl #
_CF_WARNING(`FEATURE(promiscuous_relay) makes this host an open relay')
divert(-1)
