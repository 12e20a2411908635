define(`f', `F')f(`abcdef')
