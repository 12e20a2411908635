divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`use_ct_file'): Read class t (trusted users) from confCT_FILE.
dnl #
divert(-1)
