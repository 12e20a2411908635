divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  ssh.m4 -- SMTP over ssh: the ssh mailer runs "sendmail -bs" on the
dnl #  remote host ($h) and speaks SMTP to it.  SSH_MAILER_USER (the local
dnl #  user that runs ssh) and SSH_MAILER_DIR (its directory) must be set first.
dnl #  Nothing is routed to it by default (use a mailertable entry).
dnl #
ifdef(`SSH_MAILER_USER', `', `_CF_WARNING(`SSH_MAILER_USER must be defined before the ssh mailer is loaded')')
ifdef(`SSH_MAILER_DIR', `', `_CF_WARNING(`SSH_MAILER_DIR must be defined before the ssh mailer is loaded')')
_CF_DEFAULT(`SSH_MAILER_PATH', `/usr/bin/ssh')
_CF_DEFAULT(`SSH_MAILER_FLAGS', `')
_CF_DEFAULT(`SSH_MAILER_ARGS', `ssh -o BatchMode=yes -o EscapeChar=none  -- $h /usr/sbin/sendmail -bs')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
define(`_CF_MF_SET', `ifelse(defn(`$1'), `', `', `, $2=$1')')
divert(7)dnl

#####################################
###   ssh mailer                  ###
#####################################

Mssh,		P=SSH_MAILER_PATH, F=`mDFMuX'SSH_MAILER_FLAGS, S=env_from_smtp/hdr_from_smtp, R=env_to_smtp, E=\r\n, L=990,
		_CF_MF_PRE(`SSH_MAILER_MAX', `M')_CF_MF_PRE(`SSH_MAILER_MAXMSGS', `m')_CF_MF_PRE(`SSH_MAILER_MAXRCPTS', `r')_CF_MF_PRE(`SSH_MAILER_CHARSET', `C')`T=DNS/RFC822/SMTP'_CF_MF_SET(`SSH_MAILER_QGRP', `Q'),
		U=SSH_MAILER_USER, D=SSH_MAILER_DIR,
		A=SSH_MAILER_ARGS
divert(-1)
