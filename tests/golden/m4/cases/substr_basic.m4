substr(`gnus, gnats, and armadillos', `11')
substr(`gnus, gnats, and armadillos', `11', `5')
substr(`abc', 0, 1)
substr(`abc', 1)
substr(`abc', 3)
[substr(`abc', 4)]
[substr(`abc', 1, 0)]
