divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  DOMAIN(`debian-mta'): the settings of Debian's sendmail packages for the
dnl #  mail transfer agent (the daemon, sendmail.mc): its run-time files under
dnl #  /var/run/sendmail/mta and /var/lib/sendmail, the smmta user, shorter
dnl #  SMTP timeouts, and file-safety relaxations for Debian's file layout.
dnl #
define(`DEBIAN_MTA')
define(`confDONT_BLAME_SENDMAIL', ifdef(`confDONT_BLAME_SENDMAIL', `defn(`confDONT_BLAME_SENDMAIL')')`,AssumeSafeChown,ForwardFileInGroupWritableDirPath,GroupWritableForwardFileSafe,GroupWritableIncludeFileSafe,IncludeFileInGroupWritableDirPath,DontWarnForwardFileInUnsafeDirPath,TrustStickyBit,NonRootSafeAddr,GroupWritableIncludeFile,GroupReadableDefaultAuthInfoFile')
_CF_DEFAULT(`confTRUSTED_USER', `smmta')
define(`STATUS_FILE', `/var/lib/sendmail/sendmail.st')
define(`confHOST_STATUS_DIRECTORY', `/var/lib/sendmail/host_status')
define(`confCONTROL_SOCKET_NAME', `/var/run/sendmail/mta/smcontrol')
define(`confPID_FILE', `/var/run/sendmail/mta/sendmail.pid')
define(`confPROCESS_TITLE_PREFIX', `MTA')
define(`confSAFE_FILE_ENV', `/')
define(`confQUEUE_FILE_MODE', `0640')
define(`confTEMP_FILE_MODE', `0640')
define(`confPRIVACY_FLAGS', `    restrictqrun,restrictexpand')
define(`confMAX_HOP', `100')
define(`confMAX_DAEMON_CHILDREN', `0')
define(`confMAX_RUNNERS_PER_QUEUE', `5')
define(`confRRT_IMPLIES_DSN', `False')
define(`confTO_ICONNECT', `2m')
define(`confTO_MAIL', `2m')
define(`confTO_DATAINIT', `2m')
define(`confTO_RSET', `1m')
define(`confTO_QUIT', `2m')
define(`confTO_COMMAND', `5m')
define(`confTO_IDENT', `5s')
divert(-1)
