divert(-1)define(`_CF_LOADED_')
#
#  OSTYPE(`unknown'): placeholder for an unknown system.
#  Selecting it is a mistake the .mc should correct: the .cf is still
#  written, with the generic defaults, but a warning says so.
#
_CF_WARNING(`OSTYPE(unknown) names no system; use the ostype of your system to get its paths and mailer flags')
divert(-1)
