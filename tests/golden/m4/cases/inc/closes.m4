close)
