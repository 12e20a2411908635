divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`nouucp'): Treat ! as an ordinary character (no UUCP addressing).
dnl #
divert(-1)
