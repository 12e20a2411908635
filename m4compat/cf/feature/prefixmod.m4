divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`prefixmod', `prefix', `flags'): an address that starts with
dnl #  prefix (as tokens: a word or an operator) loses it when it is parsed
dnl #  (at the end of parse_check, so for ruleset 0 and the check rulesets
dnl #  alike), and the macro {rcpt_flags} is set to flags.
dnl #
ifelse(defn(`_ARG_'), `', `_CF_ERROR(`FEATURE(prefixmod) needs the prefix as its first argument')',
	`define(`_CF_PREFIX_MOD_', defn(`_ARG_'))')
ifelse(defn(`_ARG2_'), `', `_CF_ERROR(`FEATURE(prefixmod) needs the flags as its second argument')',
	`define(`_CF_PREFIX_FLAGS_', defn(`_ARG2_'))')
divert(-1)
