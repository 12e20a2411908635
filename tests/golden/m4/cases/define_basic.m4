define(`greeting', `Hello, $1!')dnl
greeting(`world')
define(`greeting', `Bye, $1.')dnl
greeting(`world')
define(`empty')dnl
[empty]
