len(`ab')len(`abc')len(`abcd')
