eval(12 & 10) eval(12 | 10) eval(12 ^ 10) eval(~12)
eval(1 << 31) eval(1 << 32) eval(-8 >> 1) eval(256 >> 4)
eval(1 << -1)
eval(-1 >> 31)
