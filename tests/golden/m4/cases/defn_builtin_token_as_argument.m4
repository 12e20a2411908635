define(defn(`len'), `x')dnl
[len(defn(`len'))]
[ifelse(defn(`len'), `', `empty', `not empty')]
define(`keep', defn(`len'))dnl
[keep(`abcd')]
