divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`check_other' [, `regex']): the ruleset check_other, which
dnl #  Sendmail runs on SMTP commands it does not know ("command $| class",
dnl #  class 2 for accepted commands): an unknown command that matches regex
dnl #  (default: text followed by a colon, as a mail header or an HTTP request
dnl #  line would send) ends the session with 421 4.7.0.  The regex goes into
dnl #  the regex map badcmd.
dnl #
define(`_CF_OTHER_RE_', ifelse(defn(`_ARG_'), `', ``^[[:print:]]+ *:'', `defn(`_ARG_')'))
divert(8)# commands that check_other refuses
Kbadcmd regex -m -a<BADCMD> defn(`_CF_OTHER_RE_')
divert(13)
######################################################################
#   check_other: "command $| class" of a command Sendmail does not know
######################################################################
Scheck_other
R$* $| 2		$@ ok
R$+ $| 5		$: $(badcmd $1 $)
R$* <BADCMD>		$# error $@ 4.7.0 $: 421 bad command
divert(-1)
