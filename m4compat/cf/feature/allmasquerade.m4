divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`allmasquerade'): Masquerade recipient headers too.
#
divert(-1)
