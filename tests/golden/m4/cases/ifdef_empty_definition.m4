define(`e', `')dnl
ifdef(`e', `defined even if empty', `no')
undefine(`e')dnl
ifdef(`e', `yes', `gone')
