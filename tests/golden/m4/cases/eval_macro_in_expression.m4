define(`N', `10')dnl
eval(N * N)
eval(len(`abcd') + 1)
define(`expr', `2 + 3')dnl
eval(expr * 2)
eval((expr) * 2)
