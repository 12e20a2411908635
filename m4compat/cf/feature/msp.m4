divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`msp' [, host [, `MSA']]): a mail submission program (submit.cf):
dnl #  no listener but a loopback one that refuses mail, its own queue
dnl #  (MSP_QUEUE_DIR, default /var/spool/clientmqueue), run as smmsp, and every
dnl #  local recipient handed to the MTA at host (default [localhost]); with
dnl #  `MSA' as second argument the MTA is reached on the submission port 587.
dnl #
define(`_CF_MSP_', `1')
define(`_CF_MSP_HOST_', ifelse(_ARG_, `', `[localhost]', _ARG_))
ifelse(_ARG2_, `MSA', `define(`RELAY_MAILER_ARGS', `TCP $h 587')define(`ESMTP_MAILER_ARGS', `TCP $h 587')')
define(`__OSTYPE__', `')
ifdef(`_CF_OSTYPE_', `', `define(`_CF_OSTYPE_', `msp')')
define(`_CF_MSP_QDIR_', ifdef(`MSP_QUEUE_DIR', `MSP_QUEUE_DIR', `/var/spool/clientmqueue'))
define(`QUEUE_DIR', defn(`_CF_MSP_QDIR_'))
_CF_DEFAULT(`STATUS_FILE', ifdef(`MSP_STATUS_FILE', `MSP_STATUS_FILE', defn(`_CF_MSP_QDIR_')`/sm-client.st'))
_CF_DEFAULT(`confPID_FILE', ifdef(`MSP_PID_FILE', `MSP_PID_FILE', defn(`_CF_MSP_QDIR_')`/sm-client.pid'))
undefine(`ALIAS_FILE')
define(`confDELIVERY_MODE', `i')
_CF_DEFAULT(`confQUEUE_FILE_MODE', `0660')
define(`confFORWARD_PATH', `')
define(`confUSE_MSP', `True')
define(`confPRIVACY_FLAGS', `goaway,noetrn,restrictqrun')
define(`confDONT_PROBE_INTERFACES', `True')
_CF_DEFAULT(`confRUN_AS_USER', `smmsp')
_CF_DEFAULT(`confTRUSTED_USER', `smmsp')
ifelse(defn(`_CF_DAEMONS_'), `', `DAEMON_OPTIONS(`Name=NoMTA, Addr=127.0.0.1, M=E')')
define(`_CF_NO_DEFAULT_MSA_', `1')
define(`SMTP_MAILER_FLAGS', defn(`SMTP_MAILER_FLAGS')`k5')
define(`RELAY_MAILER_FLAGS', defn(`RELAY_MAILER_FLAGS')`k')
divert(8)D{MTAHost}_CF_MSP_HOST_
divert(-1)
MAILER(`local')
MAILER(`smtp')
divert(-1)
