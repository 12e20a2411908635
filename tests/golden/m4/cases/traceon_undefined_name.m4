traceon(`later')dnl
define(`later', `L')dnl
later
