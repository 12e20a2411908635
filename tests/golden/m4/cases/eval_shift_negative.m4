eval(-1 << 1)
eval(-16 >> 2)
eval(1 >> 33)
eval(1 << 33)
