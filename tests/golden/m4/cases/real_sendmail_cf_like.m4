divert(-1)
#
#  Mini .mc file, in the style of sendmail-cf (written for this test corpus)
#
divert(0)dnl
include(_CF_DIR_`/cf.m4')dnl
VERSIONID(`$Id: mini.mc 1.0 test $')dnl
OSTYPE(`linux')dnl
define(`confSMTP_LOGIN_MSG', `$j Sendmail; $b')dnl
define(`confMAX_MESSAGE_SIZE', `10485760')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`access_db', `hash -T<TMPF> /etc/mail/access')dnl
FEATURE(`no_such_feature')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
