`open quote
