divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`greet_pause'): Wait before the greeting; reject clients that talk first.
dnl #
ifelse(_ARG_, `', `', `define(`_CF_GREET_PAUSE_', _ARG_)')
divert(-1)
