close' after
