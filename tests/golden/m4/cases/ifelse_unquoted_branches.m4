define(`x', `X')dnl
ifelse(x, `X', `matched after expansion', `no')
ifelse(`x', `X', `yes', `quoted x is literal')
define(`side', `define(`flag', `set')')dnl
ifelse(`1', `2', side, `nothing')
flag
