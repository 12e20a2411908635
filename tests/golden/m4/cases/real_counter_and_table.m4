divert(-1)
define(`_row', 0)
define(`ROW', `define(`_row', incr(_row))format(`| %2d | %-8s | %6s |', _row, `$1', `$2')
divert(1)+ `$1'
divert(0)')
define(`HLINE', `+----+----------+--------+
')
divert(0)dnl
HLINE()dnl
ROW(`apples', `1.20')dnl
ROW(`pears', `0.95')dnl
ROW(`plums, red', `2.00')dnl
HLINE()dnl
Total rows: _row
Index:
