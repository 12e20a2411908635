divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`smrsh' [, path]): run programs named in aliases and .forward
dnl #  files through the sendmail restricted shell.
dnl #
define(`LOCAL_SHELL_PATH', ifelse(_ARG_, `', ifdef(`confEBINDIR', `confEBINDIR', `/usr/libexec')`/smrsh', _ARG_))
_CF_DEFAULT(`LOCAL_SHELL_ARGS', `smrsh -c $u')
divert(-1)
