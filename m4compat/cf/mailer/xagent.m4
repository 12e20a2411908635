divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  xagent.m4 -- hand messages to an external delivery agent program.  The
dnl #  sender and recipient rulesets are the numbered ones 11, 21 and 31, which
dnl #  a site may write itself; they are empty otherwise.  Nothing is routed
dnl #  to the mailer by default.
dnl #
_CF_DEFAULT(`XAGENT_MAILER_PATH', `/usr/lib/xagent')
_CF_DEFAULT(`XAGENT_MAILER_FLAGS', `DFMueXLn')
_CF_DEFAULT(`XAGENT_MAILER_ARGS', `xagent $h $u')
define(`_CF_MF_PRE', `ifdef(`$1', `$2=$1, ')')
divert(7)dnl

#####################################
###   xagent mailer               ###
#####################################

Mxagent,	P=XAGENT_MAILER_PATH, F=XAGENT_MAILER_FLAGS, S=11/31, R=21/31,
		_CF_MF_PRE(`XAGENT_MAILER_MAX', `M')`T=DNS/RFC822/X-Unix',
		A=XAGENT_MAILER_ARGS, E=\n
divert(-1)
