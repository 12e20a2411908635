format
[format()]
