syscmd(`kill -9 $$')sysval
syscmd(`kill -15 $$')sysval
