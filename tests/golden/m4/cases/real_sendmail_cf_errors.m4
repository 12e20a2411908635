divert(-1)
include(_CF_DIR_`/cf.m4')
OSTYPE(`plan9')
FEATURE(`bogus', `arg')
divert(0)dnl
MAILER(`smtp')dnl
MAILER(`uucp')dnl
