divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`use_client_ptr'): Use the client PTR name in check_relay.
dnl #
divert(-1)
