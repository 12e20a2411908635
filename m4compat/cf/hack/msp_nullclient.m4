divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`msp_nullclient', hub): Debian's null client that is also a mail
dnl #  submission program: Debian's MSP settings (DOMAIN(`debian-msp') unless
dnl #  DEBIAN_MSP is defined), a loopback listener that refuses mail (unless
dnl #  the .mc has DAEMON_OPTIONS), run as user mail with the client queue
dnl #  (MSP_QUEUE_DIR, else /var/spool/clientmqueue), and then everything of
dnl #  FEATURE(`nullclient', hub): all mail goes to hub, the sender masqueraded
dnl #  as hub in headers and envelope, From: headers as <$g>.
dnl #
ifelse(defn(`_ARG_'), `', `_CF_ERROR(`HACK(msp_nullclient) needs the name of the hub')')
define(`_CF_MSPNC_HUB_', defn(`_ARG_'))
ifdef(`DEBIAN_MSP', `', `DOMAIN(`debian-msp')')
ifelse(defn(`_CF_DAEMONS_'), `', `DAEMON_OPTIONS(`Name=NoMTA, Addr=127.0.0.1, M=E')')
undefine(`ALIAS_FILE')
define(`confFORWARD_PATH', `')
ifdef(`confFROM_HEADER', `', `define(`confFROM_HEADER', `<$g>')')
dnl # a status file named sendmail.st becomes sm-client.st beside it
ifdef(`STATUS_FILE', `ifelse(index(STATUS_FILE, `sendmail.st'), `-1', `',
	`define(`STATUS_FILE', substr(STATUS_FILE, 0, index(STATUS_FILE, `sendmail.st'))`sm-client.st')')',
	`define(`STATUS_FILE', `/var/run/sm-client.st')')
define(`confUSE_MSP', `True')
define(`confPRIVACY_FLAGS', `goaway,noetrn')
define(`QUEUE_DIR', ifdef(`MSP_QUEUE_DIR', `defn(`MSP_QUEUE_DIR')', `/var/spool/clientmqueue'))
ifdef(`confPID_FILE', `', `define(`confPID_FILE', defn(`QUEUE_DIR')`/sm-client.pid')')
define(`confQUEUE_FILE_MODE', `0660')
define(`confRUN_AS_USER', `mail')
define(`confTRUSTED_USER', `mail')
FEATURE(`no_default_msa')
FEATURE(`nullclient', defn(`_CF_MSPNC_HUB_'))
FEATURE(`allmasquerade')
FEATURE(`masquerade_envelope')
divert(-1)
