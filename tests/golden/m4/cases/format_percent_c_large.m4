format(`[%c]', 321)
format(`[%c]', 256+65)
format(`[%c]', 0)
format(`[%5c]', 66)
