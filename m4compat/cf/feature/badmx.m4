divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`badmx'): reject senders whose domain has an MX record that points
#  to an address that cannot receive mail (0/8, 127/8, private and link-local).
#
define(`_CF_BADMX_', `1')
divert(-1)
