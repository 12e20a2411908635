define(`x', `X')dnl
changequote(`q', `p')dnl
qxp x
qwhop wqxp
define(qyp, qYYp)y
