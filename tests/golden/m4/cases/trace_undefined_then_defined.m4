define(`later', `L')dnl
later
undefine(`later')dnl
define(`later', `again')dnl
later
