divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`debian_auth'): the SMTP AUTH setup of Debian's sendmail packages.
dnl #  Outgoing authentication reads MAIL_SETTINGS_DIR/default-auth-info; the
dnl #  user sendmail (the MSP) is trusted; and a trusted user who has
dnl #  authenticated may name any other user in the AUTH= parameter of MAIL
dnl #  (the MSP and relaying MTAs pass on the original submitter).
dnl #
define(`confDEF_AUTH_INFO', `MAIL_SETTINGS_DIR`'default-auth-info')
define(`confTRUSTED_USERS', ifdef(`confTRUSTED_USERS', `defn(`confTRUSTED_USERS')`,'')`sendmail')
divert(9)
#
# Local_trust_auth: may the authenticated client name another user in AUTH=?
# Yes when it authenticated as one of the trusted users (class t).
SLocal_trust_auth
R$*	$: $&{auth_authen}		the identity the client authenticated as
R$=t	$@ $#ok		a trusted user may speak for anyone
divert(-1)
