format(`%d', 1, 2, 3)
