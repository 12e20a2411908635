divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`dnsbl', zone [, message [, temp message [, ...]]]): reject clients
#  whose address is listed in a DNS block list zone.
#
ifelse(_ARG_, `', `_CF_ERROR(`FEATURE(dnsbl) needs the block list zone')')
define(`_CF_DNSBL_LIST_', defn(`_CF_DNSBL_LIST_')`_CF_DNSBL_ENTRY(`dnsbl', `'_ARG_`', `'_ARG2_`', `'_ARG3_`', `'_ARG4_`', `'_ARG5_`', `'_ARG6_`', `'_ARG7_`', `'_ARG8_`', `'_ARG9_`')')
divert(-1)
