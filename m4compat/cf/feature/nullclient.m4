divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`nullclient', hub): a host that keeps no mail: everything it
dnl #  is given goes to hub over SMTP, with sender addresses masqueraded as
dnl #  the hub.  The local and smtp mailers come with it; no other MAILER is
dnl #  needed.
dnl #
ifelse(_ARG_, `', `_CF_ERROR(`FEATURE(nullclient) needs the name of the hub')')
define(`_CF_NULLCLIENT_', _ARG_)
define(`SMART_HOST', _ARG_)
define(`MAIL_HUB', _ARG_)
MASQUERADE_AS(_ARG_)
divert(-1)
