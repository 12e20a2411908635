divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`use_ct_file'): Read class t (trusted users) from confCT_FILE.
#
divert(-1)
