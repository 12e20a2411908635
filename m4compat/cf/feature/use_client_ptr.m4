divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`use_client_ptr'): Use the client PTR name in check_relay.
#
divert(-1)
