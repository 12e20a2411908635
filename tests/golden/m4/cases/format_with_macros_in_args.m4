define(`w', `6')dnl
define(`v', `42')dnl
format(`[%*d]', w, v)
format(`%s=%d', `v', v)
