format(`[%s] [%10s] [%-10s] [%.2s] [%5.1s]', `abc', `abc', `abc', `abc', `abc')
format(`[%s]', `')
format(`[%s]')
