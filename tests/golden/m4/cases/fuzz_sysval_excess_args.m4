sysval() sysval(1, 2)
