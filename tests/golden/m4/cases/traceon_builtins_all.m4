traceon(`define', `dnl')dnl
define(`x', `y')dnl
traceoff(`define', `dnl')dnl
define(`z', `w')dnl
