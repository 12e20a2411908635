divert(-1)
changequote([, ])
define([_sec], 0)
define([SECTION],
  [define([_sec], incr(_sec))dnl
divert(1)_sec. $1
divert(2)
== _sec. $1 ==
divert(-1)])
define([PARA], [divert(2)$1
divert(-1)])
define([NOTE], [divert(3)* $1 (section _sec)
divert(-1)])
define([TITLE], [divert(0)$1
patsubst([$1], [.], [=])
divert(-1)])
m4wrap([divert(0)dnl
undivert(1)dnl
undivert(2)
Notes:
undivert(3)dnl
])
TITLE([A Small Manual])
SECTION([Introduction])
PARA([This document is generated with diversions.])
NOTE([diversion 1 holds the table of contents])
SECTION([Usage])
PARA([Call the macros, then let m4 collect the parts.])
PARA([Diversions come out in numeric order at the end.])
NOTE([m4wrap adds the notes last])
SECTION([End])
divert(0)dnl
Contents:
