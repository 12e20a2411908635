divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  OSTYPE(`unknown'): placeholder for an unknown system.
dnl #  Selecting it is a mistake the .mc should correct: the .cf is still
dnl #  written, with the generic defaults, but a warning says so.
dnl #
_CF_WARNING(`OSTYPE(unknown) names no system; use the ostype of your system to get its paths and mailer flags')
divert(-1)
