syscmd
[syscmd()]
sysval
