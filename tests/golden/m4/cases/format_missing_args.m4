format(`[%d] [%s] [%c]')
format(`[%d] [%d]', 1)
