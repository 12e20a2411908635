changequote([, ])dnl
define([q], [with [nested] quotes])dnl
dumpdef([q])dnl
