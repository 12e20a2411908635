divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`relay_local_from'): Relay when the envelope sender is in a local domain (insecure).
dnl #
divert(-1)
