divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`badmx'): reject senders whose domain has an MX record that points
dnl #  to an address that cannot receive mail (0/8, 127/8, private and link-local).
dnl #
define(`_CF_BADMX_', `1')
divert(-1)
