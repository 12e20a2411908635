divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`smrsh' [, path]): run programs named in aliases and .forward
#  files through the sendmail restricted shell.
#
define(`LOCAL_SHELL_PATH', ifelse(_ARG_, `', ifdef(`confEBINDIR', `confEBINDIR', `/usr/libexec')`/smrsh', _ARG_))
_CF_DEFAULT(`LOCAL_SHELL_ARGS', `smrsh -c $u')
divert(-1)
