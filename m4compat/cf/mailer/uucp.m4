divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  uucp.m4 -- the UUCP mailers.  uucp-old (also called uucp) sends one
dnl #  recipient per uux job, uucp-new (also called suucp) several; both give
dnl #  every address in bang form.  When the smtp mailer is already loaded,
dnl #  uucp-dom (domain addresses in envelope and headers) and uucp-uudom
dnl #  (domain headers, bang envelope sender) come too.
dnl #
dnl #  Routing in ruleset 0: hosts of class U go to uucp-old, class Y to
dnl #  uucp-new, class Z to uucp-uudom; any other host.UUCP goes to the mailer
dnl #  named by confUUCP_MAILER, unless a UUCP_RELAY takes that traffic.
dnl #
_CF_DEFAULT(`UUCP_MAILER_PATH', `/usr/bin/uux')
_CF_DEFAULT(`UUCP_MAILER_FLAGS', `')
_CF_DEFAULT(`UUCP_MAILER_ARGS', `uux - -r -a$g -gC $h!rmail ($u)')
_CF_DEFAULT(`UUCP_MAILER_MAX', `100000')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
dnl #  the fields every UUCP mailer shares, after its S= and R=
define(`_CF_UUCP_FIELDS', `
		_CF_MF_PRE(`UUCP_MAILER_MAX', `M')_CF_MF_PRE(`UUCP_MAILER_CHARSET', `C')`T=X-UUCP/X-UUCP/X-Unix'_CF_MF_SET(`UUCP_MAILER_QGRP', `Q'),
		A=UUCP_MAILER_ARGS')
ifdef(`_CF_MAILER_smtp_', `define(`_CF_UUCP_DOM_', `1')',
	`_CF_WARNING(`the smtp mailer must be loaded before the uucp mailers for uucp-dom and uucp-uudom to be defined')')
divert(7)dnl

#####################################
###   UUCP mailers                ###
#####################################

# to_uucp: a focused address in bang form, as seen from this host
Sto_uucp
R:; <@>			$@
R$* < @ $* . > $*	$1 < @ $2 > $3
R$* < @ $=w >		$1
R< @ $- . UUCP > : $+	$1 ! $2
R< @ $+ > : $+		$1 ! $2
R$* < @ $- . UUCP >	$2 ! $1
R$* < @ $+ >		$2 ! $1

# uucp_path: a sender path starts at this host, unless it starts at the
# neighbour ($h) that gets the message
Suucp_path
R$&h ! $+ ! $+		$@ $1 ! $2
R$&h ! $+		$@ $&h ! $1
R$+			$: $U ! $1
R! $+			$: $k ! $1

# envelope recipient
Senv_to_uucp
R$*			$@ $>to_uucp $1

# header recipient
Shdr_to_uucp
R$*			$: $>to_uucp $1
R$*			$@ $>uucp_path $1

# envelope and header sender; the null sender is the mailer daemon
Sfrom_uucp
R<@>			$n
R$*			$@ $>hdr_to_uucp $1

Muucp,		P=UUCP_MAILER_PATH, F=`DFMhuUd'UUCP_MAILER_FLAGS, S=from_uucp, R=env_to_uucp/hdr_to_uucp,_CF_UUCP_FIELDS
Muucp-old,	P=UUCP_MAILER_PATH, F=`DFMhuUd'UUCP_MAILER_FLAGS, S=from_uucp, R=env_to_uucp/hdr_to_uucp,_CF_UUCP_FIELDS
Msuucp,		P=UUCP_MAILER_PATH, F=`mDFMhuUd'UUCP_MAILER_FLAGS, S=from_uucp, R=env_to_uucp/hdr_to_uucp,_CF_UUCP_FIELDS
Muucp-new,	P=UUCP_MAILER_PATH, F=`mDFMhuUd'UUCP_MAILER_FLAGS, S=from_uucp, R=env_to_uucp/hdr_to_uucp,_CF_UUCP_FIELDS
ifdef(`_CF_UUCP_DOM_', `
# uucp-dom envelope sender: as for SMTP; the null sender is the mailer daemon
Senv_from_uucp_dom
R<@>			$n
R$*			$@ $>env_from_smtp $1

# uucp-uudom envelope sender: as for SMTP, then in bang form
Senv_from_uucp_uudom
R<@>			$n
R$*			$: $>env_from_smtp $1
R$* < @ $* . > $*	$1 < @ $2 > $3
R< @ $- . UUCP > : $+	$@ $1 ! $2
R< @ $+ > : $+		$@ $1 ! $2
R$* < @ $- . UUCP >	$@ $2 ! $1
R$* < @ $+ >		$@ $2 ! $1

Muucp-dom,	P=UUCP_MAILER_PATH, F=`mDFMhud'UUCP_MAILER_FLAGS, S=env_from_uucp_dom/hdr_from_smtp, R=env_to_smtp,_CF_UUCP_FIELDS
Muucp-uudom,	P=UUCP_MAILER_PATH, F=`mDFMhud'UUCP_MAILER_FLAGS, S=env_from_uucp_uudom/hdr_from_smtp, R=env_to_smtp,_CF_UUCP_FIELDS
')dnl
divert(11)dnl
# UUCP neighbours by class: Z uucp-uudom, Y uucp-new, U uucp-old
R$* < @ $=Z . UUCP . > $*	$`#'uucp-uudom $@ $2 $: $1 < @ $2 . UUCP . > $3
R$* < @ $=Y . UUCP . > $*	$`#'uucp-new $@ $2 $: $1 < @ $2 . UUCP . > $3
R$* < @ $=U . UUCP . > $*	$`#'uucp-old $@ $2 $: $1 < @ $2 . UUCP . > $3
ifdef(`UUCP_RELAY', `', `# any other UUCP host: straight to UUCP
R$* < @ $+ . UUCP . > $*	$`#'ifdef(`confUUCP_MAILER', `confUUCP_MAILER', `uucp-old') $@ $2 $: $1 < @ $2 . UUCP . > $3
')dnl
divert(-1)
