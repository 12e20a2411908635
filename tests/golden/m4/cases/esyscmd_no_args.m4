esyscmd
[esyscmd()]
sysval
