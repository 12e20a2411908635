define(`x', `y')x
m4_define(`x', `X')x
m4_len(`abc') len(`abc')
m4___file__ m4___line__ __file__
m4_ifdef(`m4_define', `has m4_define')
