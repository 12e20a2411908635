divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  MAILER(`local'): the local mailer (mailboxes) and the prog mailer
dnl #  (programs named in aliases and .forward files).
dnl #
_CF_DEFAULT(`LOCAL_MAILER_PATH', `/bin/mail')
_CF_DEFAULT(`LOCAL_MAILER_FLAGS', `Prmn9')
_CF_DEFAULT(`LOCAL_MAILER_ARGS', `mail -d $u')
_CF_DEFAULT(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE', `X-Unix')
_CF_DEFAULT(`LOCAL_SHELL_PATH', `/bin/sh')
_CF_DEFAULT(`LOCAL_SHELL_FLAGS', `eu9')
_CF_DEFAULT(`LOCAL_SHELL_ARGS', `sh -c $u')
_CF_DEFAULT(`LOCAL_SHELL_DIR', `$z:/')
define(`_CF_MFIELD', `ifdef(`$1', `, $2='defn(`$1'))')
divert(7)dnl

##################################################
###   Local and Program Mailer specification   ###
##################################################

ifdef(`_CF_MSP_', `Mlocal,		P=[IPC], F=lmDFMuXkw5, S=env_from_local/hdr_from_local, R=env_to_local/hdr_to_local,
		T=DNS/RFC822/SMTP,
		A=TCP $h
Mprog,		P=[IPC], F=lmDFMuXk5, S=env_from_local/hdr_from_local, R=env_to_local/hdr_to_local, D=$z:/,
		T=X-Unix/X-Unix/X-Unix,
		A=TCP $h
')dnl
ifdef(`_CF_MSP_', `divert(-1)')dnl
Mlocal,		P=LOCAL_MAILER_PATH, F=_CF_MAILER_FLAGS(`LOCAL', ifdef(`_CF_NULLCLIENT_', `lsDFM5q', `lsDFMAw5:/|@q')`'LOCAL_MAILER_FLAGS), S=env_from_local/hdr_from_local, R=env_to_local/hdr_to_local`'_CF_MFIELD(`LOCAL_MAILER_EOL', `E')`'_CF_MFIELD(`LOCAL_MAILER_MAX', `M')`'_CF_MFIELD(`LOCAL_MAILER_MAXMSGS', `m')`'_CF_MFIELD(`LOCAL_MAILER_MAXRCPTS', `r')`'_CF_MFIELD(`LOCAL_MAILER_CHARSET', `C')`'_CF_MFIELD(`LOCAL_MAILER_QGRP', `Q'),
		T=DNS/RFC822/LOCAL_MAILER_DSN_DIAGNOSTIC_CODE,
		A=LOCAL_MAILER_ARGS
Mprog,		P=LOCAL_SHELL_PATH, F=_CF_MAILER_FLAGS(`SHELL', `lsDFMoq'LOCAL_SHELL_FLAGS), S=env_from_local/hdr_from_local, R=env_to_local/hdr_to_local, D=LOCAL_SHELL_DIR`'_CF_MFIELD(`LOCAL_MAILER_MAX', `M')`'_CF_MFIELD(`LOCAL_SHELL_CHARSET', `C')`'_CF_MFIELD(`LOCAL_PROG_QGRP', `Q'),
		T=X-Unix/X-Unix/X-Unix,
		A=LOCAL_SHELL_ARGS

divert(7)dnl
# envelope sender: qualify only with always_add_domain
Senv_from_local
R<@>			$n
ifdef(`_CF_FEATURE_always_add_domain_', `R$*			$: $>add_domain $1
')dnl
ifdef(`_CF_FEATURE_masquerade_envelope_', `R$*			$: $>masq_env $1
')dnl

# envelope recipient: the mailbox name only
Senv_to_local
R$+ < @ $* >		$: $1
# +detail stays only for envelope recipients
R$+ + $*		$: < $&{addr_type} > $1 + $2
R< e r > $+ + $*	$@ $1 + $2
R< $* > $+ + $*		$: $2
R@ $+			$: $1

# header sender
Shdr_from_local
R<@>			$n
ifdef(`_CF_FEATURE_always_add_domain_', `R$*			$: $>add_domain $1
R$*			$@ $>masq_hdr $1
')dnl

# header recipient
Shdr_to_local
ifdef(`_CF_FEATURE_always_add_domain_', `R$*			$: $>add_domain $1
ifdef(`_CF_FEATURE_allmasquerade_', `R$*			$@ $>masq_hdr $1
')')dnl
divert(-1)
