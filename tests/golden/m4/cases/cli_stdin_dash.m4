define(`shared', `first')dnl
first
