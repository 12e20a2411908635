define
define is a word
define()dnl
[]
