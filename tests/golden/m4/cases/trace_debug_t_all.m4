define(`x', `X')dnl
x len(`ab')
