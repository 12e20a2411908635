syscmd(`echo hi', `extra')dnl
