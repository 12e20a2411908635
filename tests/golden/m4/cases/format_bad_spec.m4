format(`[%z]', 1)
format(`[%', 1)
format(`[%5]', 1)
format(`[%ld] [%hd]', 1, 2)
