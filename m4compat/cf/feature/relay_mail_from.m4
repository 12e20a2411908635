divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`relay_mail_from'): Relay when the access map says RELAY for the envelope sender (From:).
dnl #
ifelse(_ARG_, `domain', `define(`_CF_RELAY_MAIL_FROM_DOMAIN_', `1')')
divert(-1)
