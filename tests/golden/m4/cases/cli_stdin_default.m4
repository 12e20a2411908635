this file is not read: no file operand, so stdin is read
