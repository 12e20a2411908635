syscmd(`echo to stderr >&2')dnl
syscmd(`echo to stdout')dnl
