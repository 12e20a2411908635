include(`inc')
after
