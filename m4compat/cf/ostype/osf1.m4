divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`osf1'): Digital UNIX / Tru64 (OSF/1).
dnl #
_CF_DEFAULT(`STATUS_FILE', `/usr/adm/sendmail/sendmail.st')
define(`confDEF_USER_ID', `daemon')
define(`confEBINDIR', `/usr/lbin')
divert(-1)
