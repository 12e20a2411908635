dnl GNU drops pushed-back text read to its end before an include pushes the file,
dnl so "input reverted" names what lies below it, or "input exhausted".
define(`x', `include(`inc/fuzz2_one_line.m4')')x
x`'y
m4wrap(`x')m4wrap(`include(`inc/fuzz2_one_line.m4')')m4wrap(`x()x')
