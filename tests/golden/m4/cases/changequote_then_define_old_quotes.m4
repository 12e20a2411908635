changequote(`{', `}')dnl
define({q}, {`literal backquote' and {braces}})dnl
q
changequote`'dnl
q
