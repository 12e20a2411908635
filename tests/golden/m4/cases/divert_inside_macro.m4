define(`later', `divert(1)$1
divert(0)')dnl
later(`at the end')dnl
first
later(`also at end')dnl
second
