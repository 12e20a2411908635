divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`debian'): Debian GNU/Linux (and Ubuntu), with the paths and
dnl #  choices of Debian's sendmail packages.
dnl #
dnl #  Local mail goes through sensible-mda (which runs procmail or the
dnl #  system's local delivery agent); state lives under /var/lib/sendmail;
dnl #  the class files (local-host-names, relay-domains, trusted-users) may
dnl #  carry comments, hence the scanf pattern after their names.
dnl #
define(`_USE_ETC_MAIL_')
define(`_FFR_MILTER')
define(`_FFR_MAIL_MACRO')
define(`confCF_VERSION', `Debian-2+deb12u2')
define(`confEBINDIR', `/usr/libexec/sendmail')
define(`confCW_FILE', defn(`confCW_FILE')` %[^\#]')
define(`confCR_FILE', defn(`confCR_FILE')` %[^\#]')
define(`confCT_FILE', defn(`confCT_FILE')` %[^\#]')
define(`STATUS_FILE', `/var/lib/sendmail/sendmail.st')
define(`confHOST_STATUS_DIRECTORY', `/var/lib/sendmail/host_status')
define(`confDEAD_LETTER_DROP', `/var/lib/sendmail/dead.letter')
define(`confDEF_USER_ID', `mail:mail')
define(`confME_TOO', `True')
define(`confBIND_OPTS', `+WorkAroundBrokenAAAA')
define(`confREJECT_NUL', `true')
define(`confSMTP_LOGIN_MSG', `$j Sendmail $v/$Z; $b; (No UCE/UBE) $?{client_addr}logging access from: ${client_name}(${client_resolve})-$_$.')
changequote(`[', `]')
define([confMUST_QUOTE_CHARS], [.'])
changequote([`], ['])
define(`LOCAL_MAILER_PATH', `/usr/sbin/sensible-mda')
define(`LOCAL_MAILER_ARGS', `sensible-mda $g $u $h ${client_addr}')
MODIFY_MAILER_FLAGS(`LOCAL', `-rm')
MODIFY_MAILER_FLAGS(`LOCAL', `+S')
define(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')
define(`PROCMAIL_MAILER_ARGS', `procmail -m $h $f $u')
define(`USENET_MAILER_PATH', `/usr/bin/inews')
define(`UUCP_MAILER_ARGS', `uux - -r -z -a$g -gC $h!rmail ($u)')
divert(-1)
