divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  MAILER(`smtp'): the SMTP mailers smtp, esmtp, smtp8, dsmtp and relay.
dnl #
_CF_DEFAULT(`SMTP_MAILER_FLAGS', `')
_CF_DEFAULT(`SMTP_MAILER_ARGS', `TCP $h')
_CF_DEFAULT(`ESMTP_MAILER_ARGS', `TCP $h')
_CF_DEFAULT(`SMTP8_MAILER_ARGS', `TCP $h')
_CF_DEFAULT(`DSMTP_MAILER_ARGS', `TCP $h')
_CF_DEFAULT(`RELAY_MAILER_ARGS', `TCP $h')
_CF_DEFAULT(`RELAY_MAILER_FLAGS', `')
_CF_DEFAULT(`SMTP_MAILER_LL', `990')
_CF_DEFAULT(`RELAY_MAILER_LL', `2040')
define(`_CF_MFIELD', `ifdef(`$1', `, $2='defn(`$1'))')
define(`_CF_SMTP_EXTRA', `_CF_MFIELD(`SMTP_MAILER_MAX', `M')`'_CF_MFIELD(`SMTP_MAILER_MAXMSGS', `m')`'_CF_MFIELD(`SMTP_MAILER_MAXRCPTS', `r')`'_CF_MFIELD(`SMTP_MAILER_CHARSET', `C')`'_CF_MFIELD(`$1_MAILER_QGRP', `Q')')
divert(7)dnl

#####################################
###   SMTP Mailer specification   ###
#####################################

Msmtp,		P=[IPC], F=_CF_MAILER_FLAGS(`SMTP', `mDFMuX'SMTP_MAILER_FLAGS), S=env_from_smtp/hdr_from_smtp, R=env_to_smtp`'ifdef(`_CF_NULLCLIENT_', `/hdr_from_smtp')`'_CF_SMTP_EXTRA(`SMTP'), E=\r\n, L=SMTP_MAILER_LL,
		T=DNS/RFC822/SMTP,
		A=SMTP_MAILER_ARGS
Mesmtp,		P=[IPC], F=_CF_MAILER_FLAGS(`ESMTP', `mDFMuXa'SMTP_MAILER_FLAGS), S=env_from_smtp/hdr_from_smtp, R=env_to_smtp`'ifdef(`_CF_NULLCLIENT_', `/hdr_from_smtp')`'_CF_SMTP_EXTRA(`ESMTP'), E=\r\n, L=SMTP_MAILER_LL,
		T=DNS/RFC822/SMTP,
		A=ESMTP_MAILER_ARGS
Msmtp8,		P=[IPC], F=_CF_MAILER_FLAGS(`SMTP8', `mDFMuX8'SMTP_MAILER_FLAGS), S=env_from_smtp/hdr_from_smtp, R=env_to_smtp`'ifdef(`_CF_NULLCLIENT_', `/hdr_from_smtp')`'_CF_SMTP_EXTRA(`SMTP8'), E=\r\n, L=SMTP_MAILER_LL,
		T=DNS/RFC822/SMTP,
		A=SMTP8_MAILER_ARGS
Mdsmtp,		P=[IPC], F=_CF_MAILER_FLAGS(`DSMTP', `mDFMuXa%'SMTP_MAILER_FLAGS), S=env_from_smtp/hdr_from_smtp, R=env_to_smtp`'ifdef(`_CF_NULLCLIENT_', `/hdr_from_smtp')`'_CF_SMTP_EXTRA(`DSMTP'), E=\r\n, L=SMTP_MAILER_LL,
		T=DNS/RFC822/SMTP,
		A=DSMTP_MAILER_ARGS
Mrelay,		P=[IPC], F=_CF_MAILER_FLAGS(`RELAY', `mDFMuXa8'RELAY_MAILER_FLAGS), S=env_from_smtp/hdr_from_smtp, R=masq_relay`'_CF_MFIELD(`RELAY_MAILER_CHARSET', `C')`'_CF_MFIELD(`RELAY_MAILER_MAXMSGS', `m')`'_CF_MFIELD(`SMTP_MAILER_MAXRCPTS', `r')`'_CF_MFIELD(`RELAY_MAILER_QGRP', `Q'), E=\r\n, L=RELAY_MAILER_LL,
		T=DNS/RFC822/SMTP,
		A=RELAY_MAILER_ARGS

# envelope sender
Senv_from_smtp
ifdef(`_CF_FEATURE_nouucp_', `', `R$+ < @ $+ . UUCP . > $*	$: $2 ! $1 < @ *LOCAL* > $3
')dnl
R$+			$: $>qualify $1
ifdef(`_CF_FEATURE_masquerade_envelope_', `R$*			$: $>masq_env $1
')dnl
R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2

# header sender
Shdr_from_smtp
ifdef(`_CF_FEATURE_nouucp_', `', `R$+ < @ $+ . UUCP . > $*	$: $2 ! $1 < @ *LOCAL* > $3
')dnl
R< @ $* > $*		$@ < @ $1 > $2
R$+			$: $>qualify $1
R$*			$: $>masq_hdr $1
R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2

# envelope recipient
Senv_to_smtp
ifdef(`_CF_FEATURE_nouucp_', `', `R$+ < @ $+ . UUCP . > $*	$: $2 ! $1 < @ *LOCAL* > $3
')dnl
R$+			$: $>qualify $1
R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2

# recipients through the relay mailer: qualify, never masquerade
Smasq_relay
R$+			$: $>qualify $1
R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2
divert(-1)
