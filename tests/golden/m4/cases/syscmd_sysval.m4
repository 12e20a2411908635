syscmd(`false')sysval
syscmd(`true')sysval
syscmd(`exit 3')sysval
syscmd(`exit 255')sysval
