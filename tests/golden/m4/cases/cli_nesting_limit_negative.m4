dnl A negative -L is unlimited, like 0.
define(`n', `[$1]')n(n(n(n(n(n(n(n(x))))))))
