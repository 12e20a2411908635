define(`make_getter', `define(`get_$1', `$2')')dnl
make_getter(`name', `sendmail')dnl
get_name
define(`make_adder', `define(`add_$1', `eval($1 + $`'1)')')dnl
make_adder(5)dnl
add_5(10)
define(`make_adder2', `define(`add2_$1', `eval($1 + $'`1)')')dnl
make_adder2(7)dnl
add2_7(10)
