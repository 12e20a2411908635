m4wrap(`include(`inc/fuzz2_one_line.m4')after
')
