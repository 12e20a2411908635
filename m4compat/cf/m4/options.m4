divert(-1)
dnl #
dnl #  options.m4 -- the option section of the configuration file.
dnl #
dnl #  Included by cf.m4 before the .mc body.  Everything that a
dnl #  define(`confNAME', ...) turns into an O line lives here, together with
dnl #  the directives that add option lines of their own: DAEMON_OPTIONS,
dnl #  CLIENT_OPTIONS, INPUT_MAIL_FILTER and MAIL_FILTER.
dnl #
dnl #  Macros for the generator (expand each once, at top level, with m4
dnl #  comments off):
dnl #
dnl #    _CF_EARLY_OPTIONS   what must precede every file and map access:
dnl #                        O DontBlameSendmail, O LDAPDefaultSpec,
dnl #                        D{sendmailMTACluster}
dnl #    _CF_LOCAL_MACROS    Dj (confDOMAIN_NAME), Dn (confMAILER_NAME),
dnl #                        DZ (version, with /confCF_VERSION)
dnl #    _CF_OPTIONS         every other O line, in the order of Sendmail's
dnl #                        own configuration files
dnl #    _CF_TRUSTED_USERS   the T lines: root, daemon, uucp (not with
dnl #                        FEATURE(`nouucp')) and confTRUSTED_USERS
dnl #    _CF_HEADERS         the H lines (confFROM_HEADER, confRECEIVED_HEADER,
dnl #                        confMESSAGEID_HEADER and the fixed ones)
dnl #
dnl #  How a value is written.  A confNAME the .mc defined as empty gives
dnl #  "O Name"; any other value gives "O Name=value".  The value is not
dnl #  expanded when the .mc defines it but when the generator writes it, so
dnl #  it may name other macros (MAIL_SETTINGS_DIR, ...) defined later.
dnl #  Some options have a default that is set here, when cf.m4 is read;
dnl #  undefine(`confNAME') in the .mc removes such a line.
dnl #

dnl # _CF_ODEF(name, value): a default that the .mc (or m4 -D) may have set first.
define(`_CF_ODEF', `ifdef(`$1', `', `define(`$1', `$2')')')

dnl # Defaults set now (an undefine in the .mc drops the line).
_CF_ODEF(`MAIL_SETTINGS_DIR', `/etc/mail/')
_CF_ODEF(`ALIAS_FILE', `MAIL_SETTINGS_DIR`'aliases')
_CF_ODEF(`confCW_FILE', `MAIL_SETTINGS_DIR`'local-host-names')
_CF_ODEF(`confCR_FILE', `-o MAIL_SETTINGS_DIR`'relay-domains')
_CF_ODEF(`confCT_FILE', `MAIL_SETTINGS_DIR`'trusted-users')
dnl # (quoted twice: MAILER is a directive, and values are expanded when written)
_CF_ODEF(`confMAILER_NAME', ``MAILER-DAEMON'')
_CF_ODEF(`confSEVEN_BIT_INPUT', `False')
_CF_ODEF(`confALIAS_WAIT', `10')
_CF_ODEF(`confMIN_FREE_BLOCKS', `100')
_CF_ODEF(`confBLANK_SUB', `.')
_CF_ODEF(`confCON_EXPENSIVE', `False')
_CF_ODEF(`confDELIVERY_MODE', `background')
_CF_ODEF(`confTEMP_FILE_MODE', `0600')
_CF_ODEF(`confMIME_FORMAT_ERRORS', `True')
_CF_ODEF(`confFORWARD_PATH', `$z/.forward.$w:$z/.forward')
_CF_ODEF(`confMCI_CACHE_SIZE', `2')
_CF_ODEF(`confMCI_CACHE_TIMEOUT', `5m')
_CF_ODEF(`confUSE_ERRORS_TO', `False')
_CF_ODEF(`confLOG_LEVEL', `9')
_CF_ODEF(`confCHECK_ALIASES', `False')
_CF_ODEF(`confOLD_STYLE_HEADERS', `True')
_CF_ODEF(`confPRIVACY_FLAGS', `authwarnings')
_CF_ODEF(`confTO_QUEUERETURN', `5d')
_CF_ODEF(`confTO_QUEUEWARN', `4h')
_CF_ODEF(`confSAFE_QUEUE', `True')
_CF_ODEF(`confTIME_ZONE', `USE_SYSTEM')
_CF_ODEF(`confSMTP_LOGIN_MSG', `$j Sendmail $v/$Z; $b')
_CF_ODEF(`confFROM_LINE', `From $g $d')
_CF_ODEF(`confOPERATORS', `.:%@!^/[]+')
_CF_ODEF(`confRECEIVED_HEADER', `$?sfrom $s $.$?_($?s$|from $.$_)
	$.$?{auth_type}(authenticated$?{auth_ssf} bits=${auth_ssf}$.)
	$.by $j ($v/$Z)$?r with $r$. id $i$?{tls_version}
	(version=${tls_version} cipher=${cipher} bits=${cipher_bits} verify=${verify})$.$?u
	for $u; $|;
	$.$b')
_CF_ODEF(`confMILTER_MACROS_CONNECT', `j, _, {daemon_name}, {if_name}, {if_addr}')
_CF_ODEF(`confMILTER_MACROS_HELO', `{tls_version}, {cipher}, {cipher_bits}, {cert_subject}, {cert_issuer}')
_CF_ODEF(`confMILTER_MACROS_ENVFROM', `i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}')
_CF_ODEF(`confMILTER_MACROS_ENVRCPT', `{rcpt_mailer}, {rcpt_host}, {rcpt_addr}')
_CF_ODEF(`confMILTER_MACROS_EOM', `{msg_id}')

dnl # The configuration version written into $Z (confCF_VERSION is appended).
_CF_ODEF(`_CF_SM_VERSION_', `8.17.1.9')

dnl #
dnl #  Line writers.
dnl #
dnl # _CF_O(confNAME, Name): "O Name[=value]" when confNAME is defined.
define(`_CF_O', `ifdef(`$1', `ifelse(defn(`$1'), `', ``O $2'', ``O $2='$1')
')')
dnl # _CF_OV(Name, text): "O Name=text", always (text is expanded when written).
define(`_CF_OV', ``O $1='$2
')
dnl # _CF_L(confNAME, head): a line "head" followed by the value, when defined.
define(`_CF_L', `ifdef(`$1', ``$2'$1
')')
dnl # _CF_OBSOLETE(confNAME, advice): a warning when the .mc still uses it.
define(`_CF_OBSOLETE', `ifdef(`$1', `_CF_WARNING(`$1 is obsolete; $2')')')

dnl #
dnl #  DAEMON_OPTIONS, CLIENT_OPTIONS: each call adds one option line.
dnl #
define(`_CF_DAEMONS_', `')
define(`_CF_CLIENTS_', `')
define(`DAEMON_OPTIONS', `define(`_CF_DAEMONS_', defn(`_CF_DAEMONS_')`O DaemonPortOptions=$1
')')
define(`CLIENT_OPTIONS', `define(`_CF_CLIENTS_', defn(`_CF_CLIENTS_')`O ClientPortOptions=$1
')')

dnl # The listeners.  Without any DAEMON_OPTIONS the MTA listens on the SMTP
dnl # port (one line per address family when _NETINET6_ is defined, as the
dnl # Solaris system types do); the MSA on port 587 comes last unless
dnl # FEATURE(`no_default_msa') was used.
define(`_CF_DAEMON_LINES', `ifelse(defn(`_CF_DAEMONS_'), `',
	`ifdef(`_NETINET6_', ``O DaemonPortOptions=Name=MTA-v4, Family=inet
O DaemonPortOptions=Name=MTA-v6, Family=inet6
'', ``O DaemonPortOptions=Name=MTA
'')', `_CF_DAEMONS_')`'ifdef(`confDAEMON_OPTIONS',
	`_CF_WARNING(`confDAEMON_OPTIONS is obsolete; use DAEMON_OPTIONS()')`O DaemonPortOptions='confDAEMON_OPTIONS
')ifdef(`_CF_NO_DEFAULT_MSA_', `', `ifdef(`_CF_FEATURE_no_default_msa_', `',
	``O DaemonPortOptions=Port=587, Name=MSA, M=E
'')')')
define(`_CF_CLIENT_LINES', `_CF_CLIENTS_`'ifdef(`confCLIENT_OPTIONS',
	`_CF_WARNING(`confCLIENT_OPTIONS is obsolete; use CLIENT_OPTIONS()')`O ClientPortOptions='confCLIENT_OPTIONS
')')

dnl #
dnl #  Mail filters.  MAIL_FILTER(name, equates) declares a filter: its X line
dnl #  goes to diversion 10.  INPUT_MAIL_FILTER also appends the name to
dnl #  confINPUT_MAIL_FILTERS (", " between names), the list of filters that
dnl #  incoming SMTP mail passes through, in order.  The Milter.* options are
dnl #  written only when some filter was declared.
dnl #
define(`MAIL_FILTER', `define(`_CF_MILTERS_', `1')pushdef(`_CF_ODIV_', divnum)divert(10)`X'$1`, '$2
divert(_CF_ODIV_)popdef(`_CF_ODIV_')')
define(`INPUT_MAIL_FILTER', `MAIL_FILTER(`$1', `$2')define(`confINPUT_MAIL_FILTERS',
	ifdef(`confINPUT_MAIL_FILTERS', `defn(`confINPUT_MAIL_FILTERS')`, '')`$1')')
define(`_CF_MILTER_LINES', `ifdef(`_CF_MILTERS_', `dnl
_CF_O(`confMILTER_LOG_LEVEL', `Milter.LogLevel')dnl
_CF_O(`confMILTER_MACROS_CONNECT', `Milter.macros.connect')dnl
_CF_O(`confMILTER_MACROS_HELO', `Milter.macros.helo')dnl
_CF_O(`confMILTER_MACROS_ENVFROM', `Milter.macros.envfrom')dnl
_CF_O(`confMILTER_MACROS_ENVRCPT', `Milter.macros.envrcpt')dnl
_CF_O(`confMILTER_MACROS_EOM', `Milter.macros.eom')dnl
_CF_O(`confMILTER_MACROS_EOH', `Milter.macros.eoh')dnl
_CF_O(`confMILTER_MACROS_DATA', `Milter.macros.data')dnl
')')

dnl # Time zone: USE_SYSTEM writes nothing, USE_TZ an empty value (take TZ
dnl # from the environment), anything else that zone.
define(`_CF_TZ_LINE', `ifdef(`confTIME_ZONE', `ifelse(defn(`confTIME_ZONE'), `USE_SYSTEM', `',
	defn(`confTIME_ZONE'), `USE_TZ', ``O TimeZoneSpec=
'', ``O TimeZoneSpec='confTIME_ZONE
')')')

dnl #
dnl #  The sections.
dnl #
define(`_CF_EARLY_OPTIONS', `dnl
_CF_O(`confDONT_BLAME_SENDMAIL', `DontBlameSendmail')dnl
_CF_O(`confLDAP_DEFAULT_SPEC', `LDAPDefaultSpec')dnl
_CF_L(`confLDAP_CLUSTER', `D{sendmailMTACluster}')dnl
')

define(`_CF_LOCAL_MACROS', `dnl
_CF_L(`confDOMAIN_NAME', `Dj')dnl
_CF_L(`confMAILER_NAME', `Dn')dnl
`DZ'_CF_SM_VERSION_`'ifdef(`confCF_VERSION', ``/'confCF_VERSION')
')

define(`_CF_TRUSTED_USERS', ``Troot'
`Tdaemon'
ifdef(`_CF_FEATURE_nouucp_', `', ``Tuucp'
')dnl
_CF_L(`confTRUSTED_USERS', `T')')

define(`_CF_HEADERS', ``H?P?Return-Path: <$g>'
ifdef(`confRECEIVED_HEADER', ``HReceived: 'confRECEIVED_HEADER
')dnl
`H?D?Resent-Date: $a'
`H?D?Date: $a'
`H?F?Resent-From: 'ifdef(`confFROM_HEADER', `confFROM_HEADER', ``$?x$x <$g>$|$g$.'')
`H?F?From: 'ifdef(`confFROM_HEADER', `confFROM_HEADER', ``$?x$x <$g>$|$g$.'')
`H?x?Full-Name: $x'
`H?M?Resent-Message-Id: 'ifdef(`confMESSAGEID_HEADER', `confMESSAGEID_HEADER', ``<$t.$i@$j>'')
`H?M?Message-Id: 'ifdef(`confMESSAGEID_HEADER', `confMESSAGEID_HEADER', ``<$t.$i@$j>'')
')

define(`_CF_OPTIONS', `dnl
_CF_OBSOLETE(`confAUTO_REBUILD', `automatic rebuilding of the alias file is no longer available (ignored)')dnl
_CF_OBSOLETE(`confDEF_GROUP_ID', `give the group in confDEF_USER_ID as user:group (ignored)')dnl
_CF_OBSOLETE(`confUNSAFE_GROUP_WRITES', `use confDONT_BLAME_SENDMAIL instead')dnl
_CF_O(`confSEVEN_BIT_INPUT', `SevenBitInput')dnl
_CF_O(`confEIGHT_BIT_HANDLING', `EightBitMode')dnl
_CF_O(`confALIAS_WAIT', `AliasWait')dnl
_CF_O(`ALIAS_FILE', `AliasFile')dnl
_CF_O(`confMIN_FREE_BLOCKS', `MinFreeBlocks')dnl
_CF_O(`confMAX_MESSAGE_SIZE', `MaxMessageSize')dnl
_CF_O(`confBLANK_SUB', `BlankSub')dnl
_CF_O(`confCON_EXPENSIVE', `HoldExpensive')dnl
_CF_O(`confCHECKPOINT_INTERVAL', `CheckpointInterval')dnl
_CF_O(`confDELIVERY_MODE', `DeliveryMode')dnl
_CF_O(`confERROR_MESSAGE', `ErrorHeader')dnl
_CF_O(`confERROR_MODE', `ErrorMode')dnl
_CF_O(`confSAVE_FROM_LINES', `SaveFromLine')dnl
_CF_O(`confQUEUE_FILE_MODE', `QueueFileMode')dnl
_CF_O(`confTEMP_FILE_MODE', `TempFileMode')dnl
_CF_O(`confMATCH_GECOS', `MatchGECOS')dnl
_CF_O(`confMAX_HOP', `MaxHopCount')dnl
_CF_OV(`HelpFile', `ifdef(`HELP_FILE', `HELP_FILE', `MAIL_SETTINGS_DIR`'`helpfile'')')dnl
_CF_O(`confIGNORE_DOTS', `IgnoreDots')dnl
_CF_O(`confBIND_OPTS', `ResolverOptions')dnl
_CF_O(`confMIME_FORMAT_ERRORS', `SendMimeErrors')dnl
_CF_O(`confFORWARD_PATH', `ForwardPath')dnl
_CF_O(`confMCI_CACHE_SIZE', `ConnectionCacheSize')dnl
_CF_O(`confMCI_CACHE_TIMEOUT', `ConnectionCacheTimeout')dnl
_CF_O(`confHOST_STATUS_DIRECTORY', `HostStatusDirectory')dnl
_CF_O(`confSINGLE_THREAD_DELIVERY', `SingleThreadDelivery')dnl
_CF_O(`confUSE_ERRORS_TO', `UseErrorsTo')dnl
_CF_O(`confUSE_COMPRESSED_IPV6_ADDRESSES', `UseCompressedIPv6Addresses')dnl
_CF_O(`confLOG_LEVEL', `LogLevel')dnl
_CF_O(`confME_TOO', `MeToo')dnl
_CF_O(`confCHECK_ALIASES', `CheckAliases')dnl
_CF_O(`confOLD_STYLE_HEADERS', `OldStyleHeaders')dnl
_CF_DAEMON_LINES`'dnl
_CF_CLIENT_LINES`'dnl
_CF_O(`confDIRECT_SUBMISSION_MODIFIERS', `DirectSubmissionModifiers')dnl
_CF_O(`confUSE_MSP', `UseMSP')dnl
_CF_O(`confPRIVACY_FLAGS', `PrivacyOptions')dnl
_CF_O(`confCOPY_ERRORS_TO', `PostmasterCopy')dnl
_CF_O(`confQUEUE_FACTOR', `QueueFactor')dnl
_CF_O(`confMAX_QUEUE_CHILDREN', `MaxQueueChildren')dnl
_CF_O(`confMAX_RUNNERS_PER_QUEUE', `MaxRunnersPerQueue')dnl
_CF_O(`confNICE_QUEUE_RUN', `NiceQueueRun')dnl
_CF_O(`confQUEUE_SORT_ORDER', `QueueSortOrder')dnl
_CF_O(`confMIN_QUEUE_AGE', `MinQueueAge')dnl
_CF_O(`confMAX_QUEUE_AGE', `MaxQueueAge')dnl
_CF_O(`confMAX_QUEUE_RUN_SIZE', `MaxQueueRunSize')dnl
_CF_O(`confFAST_SPLIT', `FastSplit')dnl
_CF_OV(`QueueDirectory', `ifdef(`QUEUE_DIR', `QUEUE_DIR', ``/var/spool/mqueue'')')dnl
_CF_O(`confSHARED_MEMORY_KEY', `SharedMemoryKey')dnl
_CF_O(`confSHARED_MEMORY_KEY_FILE', `SharedMemoryKeyFile')dnl
_CF_O(`confTO_INITIAL', `Timeout.initial')dnl
_CF_O(`confTO_CONNECT', `Timeout.connect')dnl
_CF_O(`confTO_ACONNECT', `Timeout.aconnect')dnl
_CF_O(`confTO_ICONNECT', `Timeout.iconnect')dnl
_CF_O(`confTO_HELO', `Timeout.helo')dnl
_CF_O(`confTO_MAIL', `Timeout.mail')dnl
_CF_O(`confTO_RCPT', `Timeout.rcpt')dnl
_CF_O(`confTO_DATAINIT', `Timeout.datainit')dnl
_CF_O(`confTO_DATABLOCK', `Timeout.datablock')dnl
_CF_O(`confTO_DATAFINAL', `Timeout.datafinal')dnl
_CF_O(`confTO_RSET', `Timeout.rset')dnl
_CF_O(`confTO_QUIT', `Timeout.quit')dnl
_CF_O(`confTO_MISC', `Timeout.misc')dnl
_CF_O(`confTO_COMMAND', `Timeout.command')dnl
_CF_O(`confTO_IDENT', `Timeout.ident')dnl
_CF_O(`confTO_FILEOPEN', `Timeout.fileopen')dnl
_CF_O(`confTO_CONTROL', `Timeout.control')dnl
_CF_O(`confTO_QUEUERETURN', `Timeout.queuereturn')dnl
_CF_O(`confTO_QUEUERETURN_NORMAL', `Timeout.queuereturn.normal')dnl
_CF_O(`confTO_QUEUERETURN_URGENT', `Timeout.queuereturn.urgent')dnl
_CF_O(`confTO_QUEUERETURN_NONURGENT', `Timeout.queuereturn.non-urgent')dnl
_CF_O(`confTO_QUEUERETURN_DSN', `Timeout.queuereturn.dsn')dnl
_CF_O(`confTO_QUEUEWARN', `Timeout.queuewarn')dnl
_CF_O(`confTO_QUEUEWARN_NORMAL', `Timeout.queuewarn.normal')dnl
_CF_O(`confTO_QUEUEWARN_URGENT', `Timeout.queuewarn.urgent')dnl
_CF_O(`confTO_QUEUEWARN_NONURGENT', `Timeout.queuewarn.non-urgent')dnl
_CF_O(`confTO_QUEUEWARN_DSN', `Timeout.queuewarn.dsn')dnl
_CF_O(`confTO_HOSTSTATUS', `Timeout.hoststatus')dnl
_CF_O(`confTO_RESOLVER_RETRANS', `Timeout.resolver.retrans')dnl
_CF_O(`confTO_RESOLVER_RETRANS_FIRST', `Timeout.resolver.retrans.first')dnl
_CF_O(`confTO_RESOLVER_RETRANS_NORMAL', `Timeout.resolver.retrans.normal')dnl
_CF_O(`confTO_RESOLVER_RETRY', `Timeout.resolver.retry')dnl
_CF_O(`confTO_RESOLVER_RETRY_FIRST', `Timeout.resolver.retry.first')dnl
_CF_O(`confTO_RESOLVER_RETRY_NORMAL', `Timeout.resolver.retry.normal')dnl
_CF_O(`confTO_LHLO', `Timeout.lhlo')dnl
_CF_O(`confTO_AUTH', `Timeout.auth')dnl
_CF_O(`confTO_STARTTLS', `Timeout.starttls')dnl
_CF_O(`confDELIVER_BY_MIN', `DeliverByMin')dnl
_CF_O(`confDONT_PRUNE_ROUTES', `DontPruneRoutes')dnl
_CF_O(`confSAFE_QUEUE', `SuperSafe')dnl
_CF_O(`STATUS_FILE', `StatusFile')dnl
_CF_TZ_LINE`'dnl
_CF_O(`confDEF_USER_ID', `DefaultUser')dnl
_CF_O(`confUSERDB_SPEC', `UserDatabaseSpec')dnl
_CF_O(`confFALLBACK_MX', `FallbackMXhost')dnl
_CF_O(`confFALLBACK_SMARTHOST', `FallbackSmartHost')dnl
_CF_O(`confTRY_NULL_MX_LIST', `TryNullMXList')dnl
_CF_O(`confQUEUE_LA', `QueueLA')dnl
_CF_O(`confREFUSE_LA', `RefuseLA')dnl
_CF_O(`confREJECT_LOG_INTERVAL', `RejectLogInterval')dnl
_CF_O(`confDELAY_LA', `DelayLA')dnl
_CF_O(`confMAX_DAEMON_CHILDREN', `MaxDaemonChildren')dnl
_CF_O(`confCONNECTION_RATE_THROTTLE', `ConnectionRateThrottle')dnl
_CF_O(`confCONNECTION_RATE_WINDOW_SIZE', `ConnectionRateWindowSize')dnl
_CF_O(`confWORK_RECIPIENT_FACTOR', `RecipientFactor')dnl
_CF_O(`confSEPARATE_PROC', `ForkEachJob')dnl
_CF_O(`confWORK_CLASS_FACTOR', `ClassFactor')dnl
_CF_O(`confWORK_TIME_FACTOR', `RetryFactor')dnl
_CF_O(`confDEF_CHAR_SET', `DefaultCharSet')dnl
_CF_O(`confSERVICE_SWITCH_FILE', `ServiceSwitchFile')dnl
_CF_O(`confHOSTS_FILE', `HostsFile')dnl
_CF_O(`confDIAL_DELAY', `DialDelay')dnl
_CF_O(`confNO_RCPT_ACTION', `NoRecipientAction')dnl
_CF_O(`confSAFE_FILE_ENV', `SafeFileEnvironment')dnl
_CF_O(`confCOLON_OK_IN_ADDR', `ColonOkInAddr')dnl
_CF_O(`confDONT_EXPAND_CNAMES', `DontExpandCnames')dnl
_CF_O(`confSMTP_LOGIN_MSG', `SmtpGreetingMessage')dnl
_CF_O(`confFROM_LINE', `UnixFromLine')dnl
_CF_O(`confSINGLE_LINE_FROM_HEADER', `SingleLineFromHeader')dnl
_CF_O(`confALLOW_BOGUS_HELO', `AllowBogusHELO')dnl
_CF_O(`confMUST_QUOTE_CHARS', `MustQuoteChars')dnl
_CF_O(`confOPERATORS', `OperatorChars')dnl
_CF_O(`confDONT_INIT_GROUPS', `DontInitGroups')dnl
_CF_O(`confUNSAFE_GROUP_WRITES', `UnsafeGroupWrites')dnl
_CF_O(`confDOUBLE_BOUNCE_ADDRESS', `DoubleBounceAddress')dnl
_CF_O(`confSOFT_BOUNCE', `SoftBounce')dnl
_CF_O(`confDEAD_LETTER_DROP', `DeadLetterDrop')dnl
_CF_O(`confRUN_AS_USER', `RunAsUser')dnl
_CF_O(`confMAX_RCPTS_PER_MESSAGE', `MaxRecipientsPerMessage')dnl
_CF_O(`confBAD_RCPT_THROTTLE', `BadRcptThrottle')dnl
_CF_O(`confDONT_PROBE_INTERFACES', `DontProbeInterfaces')dnl
_CF_O(`confRRT_IMPLIES_DSN', `RrtImpliesDsn')dnl
_CF_O(`confCONNECT_ONLY_TO', `ConnectOnlyTo')dnl
_CF_O(`confTRUSTED_USER', `TrustedUser')dnl
_CF_O(`confCONTROL_SOCKET_NAME', `ControlSocketName')dnl
_CF_O(`confMAX_MIME_HEADER_LENGTH', `MaxMimeHeaderLength')dnl
_CF_O(`confMAX_HEADERS_LENGTH', `MaxHeadersLength')dnl
_CF_O(`confMAX_ALIAS_RECURSION', `MaxAliasRecursion')dnl
_CF_O(`confPID_FILE', `PidFile')dnl
_CF_O(`confPROCESS_TITLE_PREFIX', `ProcessTitlePrefix')dnl
_CF_O(`confDF_BUFFER_SIZE', `DataFileBufferSize')dnl
_CF_O(`confXF_BUFFER_SIZE', `XscriptFileBufferSize')dnl
_CF_O(`confMAILBOX_DATABASE', `MailboxDatabase')dnl
_CF_O(`confREQUIRES_DIR_FSYNC', `RequiresDirfsync')dnl
_CF_O(`confAUTH_MECHANISMS', `AuthMechanisms')dnl
_CF_O(`confAUTH_REALM', `AuthRealm')dnl
_CF_O(`confDEF_AUTH_INFO', `DefaultAuthInfo')dnl
_CF_O(`confAUTH_OPTIONS', `AuthOptions')dnl
_CF_O(`confAUTH_MAX_BITS', `AuthMaxBits')dnl
_CF_O(`confTLS_SRV_OPTIONS', `TLSSrvOptions')dnl
_CF_O(`confCIPHER_LIST', `CipherList')dnl
_CF_O(`confSERVER_SSL_OPTIONS', `ServerSSLOptions')dnl
_CF_O(`confCLIENT_SSL_OPTIONS', `ClientSSLOptions')dnl
_CF_O(`confSSL_ENGINE', `SSLEngine')dnl
_CF_O(`confSSL_ENGINE_PATH', `SSLEnginePath')dnl
_CF_O(`confTLS_FALLBACK_TO_CLEAR', `TLSFallbacktoClear')dnl
_CF_O(`confINPUT_MAIL_FILTERS', `InputMailFilters')dnl
_CF_MILTER_LINES`'dnl
_CF_O(`confCACERT_PATH', `CACertPath')dnl
_CF_O(`confCACERT', `CACertFile')dnl
_CF_O(`confSERVER_CERT', `ServerCertFile')dnl
_CF_O(`confSERVER_KEY', `ServerKeyFile')dnl
_CF_O(`confCLIENT_CERT', `ClientCertFile')dnl
_CF_O(`confCLIENT_KEY', `ClientKeyFile')dnl
_CF_O(`confCRL', `CRLFile')dnl
_CF_O(`confCRL_PATH', `CRLPath')dnl
_CF_O(`confDH_PARAMETERS', `DHParameters')dnl
_CF_O(`confRAND_FILE', `RandFile')dnl
_CF_O(`confCERT_FINGERPRINT_ALGORITHM', `CertFingerprintAlgorithm')dnl
_CF_O(`confDANE', `DANE')dnl
_CF_O(`confMAX_NOOP_COMMANDS', `MaxNOOPCommands')dnl
_CF_O(`confHELO_NAME', `HeloName')dnl
_CF_O(`confREJECT_NUL', `RejectNUL')dnl
')
divert(-1)
