divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`use_cw_file'): Read class w (local host names) from confCW_FILE.
dnl #
divert(-1)
