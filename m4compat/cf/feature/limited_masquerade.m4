divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`limited_masquerade'): Masquerade only the hosts of class M, not class w.
#
divert(-1)
