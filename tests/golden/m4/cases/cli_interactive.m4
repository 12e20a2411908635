define(`x', `X')x
