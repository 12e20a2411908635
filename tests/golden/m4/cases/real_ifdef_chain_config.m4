divert(-1)dnl
ifdef(`LOGLEVEL', , `define(`LOGLEVEL', `5')')
define(`_opt', `ifdef(`$1', `$2', `$3')')
define(`OPTS', `')
define(`ADDOPT', `define(`OPTS', ifelse(defn(`OPTS'), `', ``$1'', `defn(`OPTS')`,$1''))')
_opt(`WITH_TLS', `ADDOPT(`tls')')
_opt(`WITH_SASL', `ADDOPT(`sasl')', `ADDOPT(`nosasl')')
_opt(`WITH_IPV6', `ADDOPT(`ipv6')')
ADDOPT(`log=LOGLEVEL')
divert(0)dnl
Options: OPTS
ifelse(eval(LOGLEVEL > 8), 1, `verbose logging', `normal logging')
ifdef(`WITH_TLS', `ifdef(`WITH_SASL', `tls+sasl', `tls only')', `plain')
