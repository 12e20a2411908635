divert(-1)
#
#  cf.m4 -- entry point of our sendmail-cf-compatible macro library.
#
#  An .mc file includes this file first.  It defines the directives an .mc
#  uses (OSTYPE, DOMAIN, FEATURE, MAILER, HACK, MASQUERADE_AS, LOCAL_CONFIG,
#  ...) and registers the generator (m4/generate.m4) with m4wrap, so that the
#  whole configuration is written at the end of input, after the .mc has set
#  everything.  See CONVENTIONS.md in the library root.
#
ifdef(`_CF_DIR_', `',
	`define(`_CF_DIR_', patsubst(__file__, `m4/cf\.m4$', `'))')

# _CF_DEFAULT(name, value): define name unless the .mc (or an earlier file) did.
define(`_CF_DEFAULT', `ifdef(`$1', `', `define(`$1', `$2')')')

# Diagnostics: FILE:LINE: message.  An error makes the run fail at the end.
# The location is that of the .mc line whose directive is being read
# (_CF_WHERE_, kept by _CF_ENTER and _CF_LEAVE around each library file).
define(`_CF_HERE', `ifdef(`_CF_WHERE_', `defn(`_CF_WHERE_')', `__file__:__line__')')
define(`_CF_ENTER', `ifdef(`_CF_WHERE_', `pushdef(`_CF_WHERE_', defn(`_CF_WHERE_'))', `pushdef(`_CF_WHERE_', __file__:__line__)')')
define(`_CF_LEAVE', `popdef(`_CF_WHERE_')')
define(`_CF_ERROR', `errprint(_CF_HERE: `$1'
)define(`_CF_FAILED_', `1')')
define(`_CF_WARNING', `errprint(_CF_HERE: warning: `$1'
)')

# The arguments after a directive's first one, as library files see them.
define(`_CF_SETARGS', `define(`_ARG_', `$1')define(`_ARG2_', `$2')define(`_ARG3_', `$3')define(`_ARG4_', `$4')define(`_ARG5_', `$5')define(`_ARG6_', `$6')define(`_ARG7_', `$7')define(`_ARG8_', `$8')define(`_ARG9_', `$9')define(`_NARGS_', `$#')')

# _CF_LOAD(kind-dir, name, DIRECTIVE): include a library file, or report it missing.
define(`_CF_LOAD', `ifelse(`$2', `', `_CF_ERROR(`$3 needs a name')',
	`undefine(`_CF_LOADED_')sinclude(_CF_DIR_`$1/$2.m4')ifdef(`_CF_LOADED_', `',
	`_CF_ERROR(`unknown $3 "$2"')')')')

define(`VERSIONID', `pushdef(`_CF_DIVNUM_', divnum)divert(0)`##### '$1` #####'
divert(_CF_DIVNUM_)popdef(`_CF_DIVNUM_')')
define(`OSTYPE', `_CF_ENTER`'ifdef(`_CF_OSTYPE_', `_CF_WARNING(`OSTYPE($1) after OSTYPE('defn(`_CF_OSTYPE_')`)')')define(`_CF_OSTYPE_', `$1')define(`__OSTYPE__', `$1')_CF_SETARGS(shift($@))_CF_LOAD(`ostype', `$1', `OSTYPE')_CF_LEAVE`'')
define(`DOMAIN', `_CF_ENTER`'_CF_SETARGS(shift($@))_CF_LOAD(`domain', `$1', `DOMAIN')_CF_LEAVE`'')
define(`FEATURE', `_CF_ENTER`'ifdef(`_CF_MAILERS_', `_CF_ERROR(`FEATURE($1) must come before the first MAILER()')')_CF_SETARGS(shift($@))define(`_CF_FEATURE_$1_', `1')_CF_LOAD(`feature', `$1', `FEATURE')_CF_LEAVE`'')
define(`HACK', `_CF_ENTER`'_CF_SETARGS(shift($@))_CF_LOAD(`hack', `$1', `HACK')_CF_LEAVE`'')
define(`MAILER', `ifdef(`_CF_MAILER_$1_', `',
	`_CF_ENTER`'define(`_CF_MAILER_$1_', `1')define(`_CF_MAILERS_', defn(`_CF_MAILERS_')`$1 ')_CF_SETARGS(shift($@))_CF_LOAD(`mailer', `$1', `MAILER')_CF_LEAVE`'')')
define(`_CF_ISFEAT', `ifdef(`_CF_FEATURE_$1_', `$2', `$3')')

# User diversions (CONVENTIONS.md lists the numbers).
define(`LOCAL_RULE_1', `divert(1)')
define(`LOCAL_RULE_2', `divert(2)')
define(`LOCAL_RULE_3', `divert(3)')
define(`LOCAL_RULE_0', `divert(4)')
define(`LOCAL_NET_CONFIG', `divert(5)')
define(`LOCAL_CONFIG', `divert(6)')
define(`MAILER_DEFINITIONS', `divert(7)')
define(`LOCAL_RULESETS', `divert(9)')
# QUEUE_GROUP(`name', `equates'): a queue group (a Q line), in the order given.
define(`QUEUE_GROUP', `define(`_CF_QGROUPS_', `1')pushdef(`_CF_ODIV_', divnum)divert(14)`Q'$1`, '$2
divert(_CF_ODIV_)popdef(`_CF_ODIV_')')
define(`SITECONFIG', `_CF_ERROR(`SITECONFIG (UUCP site tables) is not supported')')

# Class and macro directives.
define(`_CF_CLASS_ADD', `define(`_CF_CLASS_$1_', ifdef(`_CF_CLASS_$1_', `defn(`_CF_CLASS_$1_') ')`$2')')
define(`_CF_FILE_ADD', `define(`_CF_FILES_$1_', defn(`_CF_FILES_$1_')`F'ifelse(len(`$1'), `1', `$1', `{$1}')`$2
')')
define(`MASQUERADE_AS', `define(`_CF_MASQUERADE_AS_', `$1')')
define(`MASQUERADE_DOMAIN', `_CF_CLASS_ADD(`M', `$1')')
define(`MASQUERADE_DOMAIN_FILE', `_CF_FILE_ADD(`M', ifelse(`$2', `', `', `$2 ')`$1')')
define(`MASQUERADE_EXCEPTION', `_CF_CLASS_ADD(`MasqueradeException', `$1')')
define(`MASQUERADE_EXCEPTION_FILE', `_CF_FILE_ADD(`MasqueradeException', ifelse(`$2', `', `', `$2 ')`$1')')
define(`EXPOSED_USER', `_CF_CLASS_ADD(`E', `$1')')
define(`EXPOSED_USER_FILE', `_CF_FILE_ADD(`E', ifelse(`$2', `', `', `$2 ')`$1')')
define(`LOCAL_DOMAIN', `_CF_CLASS_ADD(`w', `$1')')
define(`RELAY_DOMAIN', `_CF_CLASS_ADD(`R', `$1')')
define(`RELAY_DOMAIN_FILE', `_CF_FILE_ADD(`R', ifelse(`$2', `', `', `$2 ')`$1')')
define(`GENERICS_DOMAIN', `_CF_CLASS_ADD(`G', `$1')')
define(`GENERICS_DOMAIN_FILE', `_CF_FILE_ADD(`G', ifelse(`$2', `', `', `$2 ')`$1')')
define(`VIRTUSER_DOMAIN', `_CF_CLASS_ADD(`VirtHost', `$1')')
define(`VIRTUSER_DOMAIN_FILE', `_CF_FILE_ADD(`VirtHost', ifelse(`$2', `', `', `$2 ')`$1')')
define(`CANONIFY_DOMAIN', `_CF_CLASS_ADD(`Canonify', `$1')')
define(`CANONIFY_DOMAIN_FILE', `_CF_FILE_ADD(`Canonify', ifelse(`$2', `', `', `$2 ')`$1')')
define(`LDAPROUTE_DOMAIN', `_CF_CLASS_ADD(`LDAPRoute', `$1')')
define(`LDAPROUTE_DOMAIN_FILE', `_CF_FILE_ADD(`LDAPRoute', ifelse(`$2', `', `', `$2 ')`$1')')
define(`LDAPROUTE_EQUIVALENT', `_CF_CLASS_ADD(`LDAPRouteEquiv', `$1')')
define(`LDAPROUTE_EQUIVALENT_FILE', `_CF_FILE_ADD(`LDAPRouteEquiv', ifelse(`$2', `', `', `$2 ')`$1')')
define(`LOCAL_USER', `_CF_CLASS_ADD(`L', `$1')')
define(`LOCAL_USER_FILE', `_CF_FILE_ADD(`L', ifelse(`$2', `', `', `$2 ')`$1')')
define(`TRUST_AUTH_MECH', `_CF_CLASS_ADD(`TrustAuthMech', `$1')')

# Map declarations of FEATUREs: _CF_MAPDECL(map, default file, argument) keeps
# the K line body; an empty argument means DATABASE_MAP_TYPE MAIL_SETTINGS_DIR/file
# as they are defined when the FEATURE line is read.
define(`_CF_DBTYPE', `ifdef(`DATABASE_MAP_TYPE', `DATABASE_MAP_TYPE', `hash')')
define(`_CF_SETTINGS', `ifdef(`MAIL_SETTINGS_DIR', `MAIL_SETTINGS_DIR', `/etc/mail/')')
define(`_CF_MAPDECL', `define(`_CF_MAP_$1_', ifelse(`$3', `', `_CF_DBTYPE ifelse(`$4', `', `', `$4 ')_CF_SETTINGS`'$2', `$3'))')
define(`_CF_KLINE', `ifdef(`_CF_MAP_$1_', `K$1 '`_CF_MAP_$1_'
)')

# MODIFY_MAILER_FLAGS(`PREFIX', `+flags' | `-flags' | `flags'): changes to the
# F= flags of the mailers of PREFIX (as in LOCAL_MAILER_FLAGS).  All the
# removals are made first, then the additions (a flag that is there already
# is not added twice); `flags' alone replaces the flags, and from then on
# the +/- changes of that PREFIX count no more.  _CF_MAILER_FLAGS(`PREFIX',
# `flags') applies them to a mailer's flags.
define(`MODIFY_MAILER_FLAGS', `ifelse(substr(`$2', 0, 1), `+',
	`define(`_CF_MFA_$1_', ifdef(`_CF_MFA_$1_', `defn(`_CF_MFA_$1_')')substr(`$2', 1))',
	substr(`$2', 0, 1), `-',
	`define(`_CF_MFD_$1_', ifdef(`_CF_MFD_$1_', `defn(`_CF_MFD_$1_')')substr(`$2', 1))',
	`define(`_CF_MFS_$1_', `$2')')')
define(`_CF_MAILER_FLAGS', `ifdef(`_CF_MFS_$1_', `defn(`_CF_MFS_$1_')',
	`_CF_MF_ADD(_CF_MF_DEL(`$2', ifdef(`_CF_MFD_$1_', `defn(`_CF_MFD_$1_')')), ifdef(`_CF_MFA_$1_', `defn(`_CF_MFA_$1_')'))')')
dnl # _CF_MF_DEL(flags, chars): each of chars out of flags (its first one);
dnl # _CF_MF_ADD(flags, chars): each of chars added to flags unless there
define(`_CF_MF_DEL', `ifelse(`$2', `', `$1', `_CF_MF_DEL(_CF_MF_DEL1(`$1', substr(`$2', 0, 1)), substr(`$2', 1))')')
define(`_CF_MF_DEL1', `ifelse(index(`$1', `$2'), `-1', `$1', `substr(`$1', 0, index(`$1', `$2'))`'substr(`$1', incr(index(`$1', `$2')))')')
define(`_CF_MF_ADD', `ifelse(`$2', `', `$1', `_CF_MF_ADD(_CF_MF_ADD1(`$1', substr(`$2', 0, 1)), substr(`$2', 1))')')
define(`_CF_MF_ADD1', `ifelse(index(`$1', `$2'), `-1', `$1$2', `$1')')

# The generator runs once, at the end of input.
define(`_CF_GENERATE', `divert(0)changecom()include(_CF_DIR_`m4/generate.m4')')
m4wrap(`_CF_GENERATE')

include(_CF_DIR_`m4/options.m4')
# As with sendmail-cf, the rest of the .mc is read with m4 comments off.
changecom()divert(0)dnl
