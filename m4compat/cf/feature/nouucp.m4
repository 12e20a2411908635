divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`nouucp' [, `reject' | `nospecial']): Treat ! as an ordinary
dnl #  character (no UUCP addressing).  With `reject' (its first letter
dnl #  counts) a recipient whose local part has a ! is taken as one for
dnl #  another host: only clients that may relay can use it.
dnl #
ifelse(substr(_ARG_, 0, 1), `r', `define(`_CF_NOUUCP_REJECT_', `1')')
divert(-1)
