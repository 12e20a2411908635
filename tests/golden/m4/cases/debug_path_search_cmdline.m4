dnl A command-line input found on the include path: GNU reports the search
dnl without a location, even after another input (no file is being read).
