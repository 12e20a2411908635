divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`nouucp'): Treat ! as an ordinary character (no UUCP addressing).
#
divert(-1)
